//! The vocabulary of products, conditions, stages and side effects, loaded
//! from `config/vocabulary.toml` (data, not code) with a built-in default.

/// Terms the normalizer recognises.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {}

/// A vocabulary file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct VocabularyError {
    /// The file name as given.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl Vocabulary {
    /// The vocabulary compiled into the binary.
    pub fn builtin() -> Vocabulary {
        Vocabulary {}
    }

    /// Parses vocabulary TOML; `file` is used in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Vocabulary, VocabularyError> {
        let _ = (text, file);
        Ok(Vocabulary {})
    }
}
