//! The synthetic corpus of center pages shared by every benchmark (the normalizer issue writes it).
