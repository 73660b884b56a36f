//! Benchmark binary `diff`: `cargo run -p bench --release --bin diff -- --help`.
fn main() {
    eprintln!("bench diff: not written yet");
    std::process::exit(2);
}
