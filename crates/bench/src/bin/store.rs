//! Benchmark binary `store`: `cargo run -p bench --release --bin store -- --help`.
fn main() {
    eprintln!("bench store: not written yet");
    std::process::exit(2);
}
