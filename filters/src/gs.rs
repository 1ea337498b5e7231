//! `application/postscript` to PDF with Ghostscript's `pdfwrite` device, run as a separate
//! process in `-dSAFER` mode with a time limit. Ghostscript reads the input file itself.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::FilterError;
use crate::media::{fmt_num, ConvertOptions};

/// Ghostscript is stopped after this long.
pub const GS_TIMEOUT: Duration = Duration::from_secs(120);

/// The Ghostscript program run; a bare name is looked up in `PATH`.
const GS: &str = "gs";

/// How much of Ghostscript's stderr is read for the error message (the rest is drained).
const KEEP: usize = 16 * 1024;

/// Converts the PostScript file `input` to PDF at `output`.
pub(crate) fn ps_to_pdf(
    input: &Path,
    output: &Path,
    opts: &ConvertOptions,
    limit: Duration,
) -> Result<(), FilterError> {
    // Check the input ourselves so a missing file is an Io error, not a Ghostscript one.
    std::fs::File::open(input).map_err(|e| FilterError::io(input, e))?;
    let mut args: Vec<String> = vec![
        "-dSAFER".into(),
        "-dBATCH".into(),
        "-dNOPAUSE".into(),
        "-dQUIET".into(),
        "-sstdout=%stderr".into(),
        "-sDEVICE=pdfwrite".into(),
    ];
    if let Some((w, h)) = opts.media_size() {
        // The default page size; a document's own setpagedevice still wins.
        args.push(format!("-dDEVICEWIDTHPOINTS={}", fmt_num(w)));
        args.push(format!("-dDEVICEHEIGHTPOINTS={}", fmt_num(h)));
    }
    // `%` in an output file name is a Ghostscript format directive.
    args.push(format!("-sOutputFile={}", output.display().to_string().replace('%', "%%")));
    let mut cmd = Command::new(GS);
    cmd.args(&args).arg("-f").arg(safe_arg(input));
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let child = cmd.spawn().map_err(|e| FilterError::Ghostscript {
        status: None,
        stderr_tail: format!("cannot run {GS}: {e} (is Ghostscript installed?)"),
    })?;
    run_with_limit(child, limit)
}

/// The raster formats a printer without a PDF interpreter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RasterFormat {
    /// `image/pwg-raster` (PWG 5102.4).
    PwgRaster,
    /// `image/urf` (Apple raster).
    Urf,
}

impl RasterFormat {
    pub fn mime_type(self) -> &'static str {
        match self {
            RasterFormat::PwgRaster => "image/pwg-raster",
            RasterFormat::Urf => "image/urf",
        }
    }
}

/// How to rasterize: resolution in dots per inch and colour or grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RasterOptions {
    pub format: RasterFormat,
    pub dpi: u32,
    pub color: bool,
}

/// Renders the PDF `input` to raster pages at `output` with Ghostscript's `pwgraster` or
/// `urf` device (8 bits per colour, sRGB or sGray).
pub(crate) fn pdf_to_raster(
    input: &Path,
    output: &Path,
    raster: RasterOptions,
    limit: Duration,
) -> Result<(), FilterError> {
    std::fs::File::open(input).map_err(|e| FilterError::io(input, e))?;
    let dpi = raster.dpi.clamp(72, 1200);
    let mut args: Vec<String> = vec![
        "-dSAFER".into(),
        "-dBATCH".into(),
        "-dNOPAUSE".into(),
        "-dQUIET".into(),
        "-sstdout=%stderr".into(),
        format!("-r{dpi}"),
    ];
    match raster.format {
        RasterFormat::PwgRaster => {
            args.push("-sDEVICE=pwgraster".into());
            // cups_cspace_t: 19 = sRGB, 18 = sGray; 8 bits each.
            args.push(format!("-dcupsColorSpace={}", if raster.color { 19 } else { 18 }));
            args.push("-dcupsBitsPerColor=8".into());
        }
        RasterFormat::Urf => {
            args.push("-sDEVICE=urf".into());
            args.push(format!("-dcupsColorSpace={}", if raster.color { 19 } else { 18 }));
        }
    }
    args.push(format!("-sOutputFile={}", output.display().to_string().replace('%', "%%")));
    let mut cmd = Command::new(GS);
    cmd.args(&args).arg("-f").arg(safe_arg(input));
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let child = cmd.spawn().map_err(|e| FilterError::Ghostscript {
        status: None,
        stderr_tail: format!("cannot run {GS}: {e} (is Ghostscript installed?)"),
    })?;
    run_with_limit(child, limit)
}

/// A path Ghostscript will not mistake for an option.
fn safe_arg(p: &Path) -> PathBuf {
    if p.is_relative() {
        Path::new(".").join(p)
    } else {
        p.to_path_buf()
    }
}

fn run_with_limit(mut child: Child, limit: Duration) -> Result<(), FilterError> {
    let stderr = child.stderr.take();
    let reader = thread::spawn(move || {
        let mut tail: Vec<u8> = Vec::new();
        if let Some(mut err) = stderr {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let room = KEEP.saturating_sub(tail.len()).min(n);
                tail.extend_from_slice(&buf[..room]);
            }
        }
        summarize(&String::from_utf8_lossy(&tail))
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= limit => {
                // Only our own child, by its handle.
                let _ = child.kill();
                let _ = child.wait();
                let _ = reader.join();
                return Err(FilterError::Timeout);
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = reader.join();
                return Err(FilterError::Ghostscript { status: None, stderr_tail: e.to_string() });
            }
        }
    };
    let tail = reader.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(FilterError::Ghostscript { status: status.code(), stderr_tail: tail })
    }
}

/// The useful part of Ghostscript's error output: its `Error: ...` line and last line.
pub(crate) fn summarize(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let error = lines.iter().find(|l| l.starts_with("Error:"));
    let last = lines.last();
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(error.copied());
    if let Some(l) = last.filter(|l| Some(*l) != error) {
        parts.push(l);
    }
    let text = parts.join(" / ");
    text.chars().take(300).collect()
}

#[cfg(test)]
#[path = "gs_tests.rs"]
mod tests;
