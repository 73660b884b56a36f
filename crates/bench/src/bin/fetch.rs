//! Benchmark binary `fetch`: `cargo run -p bench --release --bin fetch -- --help`.
fn main() {
    eprintln!("bench fetch: not written yet");
    std::process::exit(2);
}
