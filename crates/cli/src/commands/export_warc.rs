//! `cartwatch export-warc SNAPSHOT FILE`: a snapshot's raw captures as WARC 1.1.

use crate::common::StoreArg;
use anyhow::{Context, Result};
use cartwatch_store::warc::WarcWriter;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `cartwatch export-warc`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// The snapshot: an id, a unique id prefix, `latest` or `latest~N`.
    snapshot: String,
    /// The WARC file to write; a name ending in `.gz` is gzip-compressed per record.
    file: PathBuf,
    /// Only this center.
    #[arg(long, value_name = "ID")]
    center: Option<String>,
}

/// Writes a warcinfo record, then per page a response record (when it has a
/// body, verified against its hash) and a metadata record. The file appears
/// only when complete.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = args.store.open()?;
    let id = store.resolve(&args.snapshot)?;
    let manifest = store.manifest(&id)?;
    if let Some(center) = &args.center {
        crate::common::require_center(&manifest, center)?;
    }
    let gzip = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.warc".into());
    let tmp = args.file.with_file_name(format!(".{name}.partial"));
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = (|| -> Result<(usize, usize)> {
        let mut writer = WarcWriter::new(std::io::BufWriter::new(file), gzip, &id)?;
        let (mut pages, mut responses) = (0, 0);
        for center in &manifest.centers {
            if args.center.as_ref().is_some_and(|c| c != &center.id) {
                continue;
            }
            for page in &center.pages {
                let body = store.page_body(&id, &center.id, &page.url)?;
                responses += usize::from(body.is_some());
                pages += 1;
                writer
                    .write_page(&center.id, page, body.as_deref())
                    .with_context(|| format!("cannot write {}", tmp.display()))?;
            }
        }
        let out = writer.finish()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok((pages, responses))
    })();
    let (pages, responses) = match result {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, &args.file)
        .with_context(|| format!("cannot write {}", args.file.display()))?;
    println!(
        "wrote {} ({pages} pages, {responses} response records) from snapshot {id}",
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}
