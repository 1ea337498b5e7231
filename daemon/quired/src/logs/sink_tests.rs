use super::*;

/// A fresh directory under the system's temp dir, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("quired-sink-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn count(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[test]
fn rotation_keeps_every_line_across_log_and_o() {
    let dir = Dir::new("rotate");
    let path = dir.0.join("sub/access_log");
    let rules = FileRules { max_size: 1000, perm: 0o640, gid: None };
    let sink = Sink::new(Destination::File(path.clone()), rules, false);
    let clock = LogClock::fixed(0, false);
    let line = "x".repeat(99);
    for _ in 0..15 {
        sink.write(Severity::Info, &line, &clock);
    }
    let old = dir.0.join("sub/access_log.O");
    assert_eq!(count(&old), 11, "rotated once the file passed 1000 bytes");
    assert_eq!(count(&path), 4);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "LogFilePerm on the new file");
}

#[test]
fn reopen_follows_a_moved_file() {
    let dir = Dir::new("reopen");
    let path = dir.0.join("error_log");
    let rules = FileRules { max_size: 0, perm: 0o644, gid: None };
    let sink = Sink::new(Destination::File(path.clone()), rules, false);
    let clock = LogClock::fixed(0, false);
    sink.write(Severity::Error, "before", &clock);
    let moved = dir.0.join("error_log.1");
    std::fs::rename(&path, &moved).unwrap();
    sink.write(Severity::Error, "still the open file", &clock);
    sink.reopen();
    sink.write(Severity::Error, "after", &clock);
    assert_eq!(std::fs::read_to_string(&moved).unwrap(), "before\nstill the open file\n");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "after\n");
}

#[test]
fn an_existing_file_takes_the_configured_mode() {
    let dir = Dir::new("mode");
    let path = dir.0.join("page_log");
    std::fs::write(&path, "old\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let rules = FileRules { max_size: 0, perm: 0o600, gid: None };
    Sink::new(Destination::File(path.clone()), rules, false).write(
        Severity::Info,
        "new",
        &LogClock::fixed(0, false),
    );
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\nnew\n");
}
