//! Benchmarks and the synthetic corpus generator: `cargo run -p bench --release -- help`.
fn main() {
    eprintln!("usage: bench <command>; the normalizer issue adds `gen` and `normalize`");
}
