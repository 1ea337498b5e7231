//! What encryption at rest costs a spooled document: a 100 MB body written in 64 KiB chunks
//! (as a network body arrives) plain vs through `EncryptWriter`, each ending with fsync;
//! then decryption throughput, from the file and in memory.
//!
//! `cargo run --release -p quire-vault --example vault_throughput [DIR]`
//!
//! DIR defaults to a temp dir under $TMPDIR; point it at the spool's file system (tmpfs makes
//! fsync free and the write numbers meaningless).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use quire_vault::{DataKey, DecryptReader, Decryptor, EncryptWriter, Encryptor, Keyring};

const TOTAL: usize = 100 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
const RUNS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let dir = std::env::args_os().nth(1).map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    let chunk: Vec<u8> = (0..CHUNK).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let key = Keyring::ephemeral()?.new_document_key(None)?.0;
    let (plain_path, sealed_path) = (dir.join("bench-plain"), dir.join("bench-sealed"));

    let (mut plain, mut sealed, mut read) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        // Interleaved, so drift in the disk's state hits both sides alike.
        plain.push(timed(|| write_plain(&plain_path, &chunk))?);
        sealed.push(timed(|| write_sealed(&sealed_path, &chunk, &key))?);
        read.push(timed(|| read_sealed(&sealed_path, &key))?);
    }
    let (mem_enc, mem_dec) = in_memory(&chunk, &key)?;
    fs::remove_file(&plain_path)?;
    fs::remove_file(&sealed_path)?;

    let (p, s, r) = (median(&mut plain), median(&mut sealed), median(&mut read));
    let mb = TOTAL as f64 / 1e6;
    println!(
        "dir: {}   {mb:.1} MB in {} KiB chunks, {RUNS} runs, medians",
        dir.display(),
        CHUNK / 1024
    );
    println!("plain write + fsync      {p:8.3} s  {:8.0} MB/s", mb / p);
    println!("encrypted write + fsync  {s:8.3} s  {:8.0} MB/s", mb / s);
    println!("ratio encrypted/plain    {:8.2}", s / p);
    println!("decrypt from file        {r:8.3} s  {:8.0} MB/s (page cache)", mb / r);
    println!("encrypt in memory        {mem_enc:8.3} s  {:8.0} MB/s", mb / mem_enc);
    println!("decrypt in memory        {mem_dec:8.3} s  {:8.0} MB/s", mb / mem_dec);
    Ok(())
}

fn timed<E>(f: impl FnOnce() -> Result<(), E>) -> Result<f64, E> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed().as_secs_f64())
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn write_plain(path: &Path, chunk: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    for _ in 0..TOTAL / CHUNK {
        file.write_all(chunk)?;
    }
    file.sync_all()
}

fn write_sealed(path: &Path, chunk: &[u8], key: &DataKey) -> io::Result<()> {
    let mut w = EncryptWriter::new(File::create(path)?, key);
    for _ in 0..TOTAL / CHUNK {
        w.write_all(chunk)?;
    }
    w.finish()?.sync_all()
}

fn read_sealed(path: &Path, key: &DataKey) -> io::Result<()> {
    let mut r = DecryptReader::new(File::open(path)?, key);
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0;
    loop {
        match r.read(&mut buf)? {
            0 => break,
            n => total += n,
        }
    }
    assert_eq!(total, TOTAL);
    Ok(())
}

/// The sans-IO core alone: median seconds to encrypt, then decrypt, 100 MB in memory.
fn in_memory(chunk: &[u8], key: &DataKey) -> Result<(f64, f64), quire_vault::VaultError> {
    let mut sealed = Vec::with_capacity(TOTAL + TOTAL / 1000);
    let (mut enc_t, mut dec_t) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        sealed.clear();
        enc_t.push(timed(|| {
            let mut enc = Encryptor::new(key);
            for _ in 0..TOTAL / CHUNK {
                enc.update(chunk, &mut sealed);
            }
            enc.finish(&mut sealed)
        })?);
        let mut out = Vec::with_capacity(2 * CHUNK);
        dec_t.push(timed(|| {
            let mut dec = Decryptor::new(key);
            for piece in sealed.chunks(CHUNK) {
                dec.update(piece, &mut out)?;
                out.clear();
            }
            dec.finish(&mut out)
        })?);
    }
    Ok((median(&mut enc_t), median(&mut dec_t)))
}
