//! Benchmark binary `gen`: `cargo run -p bench --release --bin gen -- --help`.
fn main() {
    eprintln!("bench gen: not written yet");
    std::process::exit(2);
}
