//! The crash-test hook: `CARTWATCH_FAILPOINT` makes the process SIGKILL itself at a named point.

/// The crash-test points `CARTWATCH_FAILPOINT` accepts, in the order a
/// snapshot (then a prune) passes them:
/// - `after_bodies`: the first page's body is in the new pack, records are not;
/// - `after_records`: every body and record is in the pack (not yet synced);
/// - `before_manifest`: the pack is synced; the atomic batch listing the
///   snapshot is not applied;
/// - `after_manifest`: the batch is applied but not flushed;
/// - `prune_after_drop`: prune removed the snapshot entries, blobs still there;
/// - `prune_before_delete`: packs rewritten and indexed, old pack files not deleted.
pub const FAILPOINTS: [&str; 6] = [
    "after_bodies",
    "after_records",
    "before_manifest",
    "after_manifest",
    "prune_after_drop",
    "prune_before_delete",
];

/// Kills the process with SIGKILL when `CARTWATCH_FAILPOINT` names this point.
pub(crate) fn failpoint(name: &str) {
    if std::env::var("CARTWATCH_FAILPOINT").is_ok_and(|v| v == name) {
        eprintln!("CARTWATCH_FAILPOINT={name}: killing this process");
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
        std::thread::sleep(std::time::Duration::from_secs(5));
        std::process::abort();
    }
}
