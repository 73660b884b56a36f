//! Benchmark binary `normalize`: `cargo run -p bench --release --bin normalize -- --help`.
fn main() {
    eprintln!("bench normalize: not written yet");
    std::process::exit(2);
}
