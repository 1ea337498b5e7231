//! quired runs CUPS backends the way cupsd does: a queue whose device URI scheme has no
//! native Quire backend runs `ServerBin/backend/<scheme>`. The backends are the shell scripts
//! in `tests/data/backends`, installed (mode 0755, so a root quired runs them as `lp`) into a
//! private ServerBin that quired finds through `QUIRE_CUPS_SERVERBIN`; jobs are submitted
//! with the real CUPS `lp`.
//!
//! While quired is not built the test prints "SKIPPED: quired binary not built".

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, data_dir, CmdOutput, Server, Via};

/// A private ServerBin holding the test backends, and output directories the backends
/// (running as `lp`) may write.
struct Backends {
    dir: tempfile::TempDir,
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

impl Backends {
    fn install() -> Backends {
        let dir = tempfile::Builder::new().prefix("quire-cups-abi-").tempdir().expect("tempdir");
        chmod(dir.path(), 0o755);
        let backend_dir = dir.path().join("serverbin/backend");
        fs::create_dir_all(&backend_dir).expect("mkdir backend");
        chmod(&dir.path().join("serverbin"), 0o755);
        chmod(&backend_dir, 0o755);
        for name in ["testbe", "crashbe"] {
            let to = backend_dir.join(name);
            fs::copy(data_dir().join("backends").join(name), &to).expect("install backend");
            chmod(&to, 0o755);
        }
        Backends { dir }
    }

    fn server_bin(&self) -> String {
        self.dir.path().join("serverbin").to_string_lossy().into_owned()
    }

    /// A fresh directory anyone may write, for one queue's backend output.
    fn out(&self, queue: &str) -> PathBuf {
        let out = self.dir.path().join("out").join(queue);
        fs::create_dir_all(&out).expect("mkdir out");
        chmod(&self.dir.path().join("out"), 0o755);
        chmod(&out, 0o777);
        out
    }
}

fn ok(server: &Server, program: &str, args: &[&str]) -> CmdOutput {
    let out = cups_tool(server, Via::Tcp, program, args).expect("run CUPS tool");
    assert_eq!(out.rc, 0, "{program} {args:?}\n{}\n{}", out.text(), server.log_tail(40));
    out
}

fn submit(server: &Server, queue: &str, document: &Path) -> u32 {
    let doc = document.to_string_lossy();
    let out = ok(server, "lp", &["-d", queue, &doc]);
    parse_request_id(&out.stdout).unwrap_or_else(|| panic!("no request id in {:?}", out.stdout))
}

fn job_listed(server: &Server, queue: &str, id: u32, which: &str) -> bool {
    let out = ok(server, "lpstat", &["-W", which, "-o", queue]);
    out.stdout.lines().any(|l| l.split_whitespace().next() == Some(&format!("{queue}-{id}")))
}

fn start_quired(backends: &Backends) -> Option<Server> {
    quire_tests::require_programs();
    let bin = backends.server_bin();
    let server = Server::start_quired_with_env(&[("QUIRE_CUPS_SERVERBIN", bin.as_str())])
        .expect("start quired");
    if server.is_none() {
        quire_tests::skipped("quired binary not built");
    }
    server
}

#[test]
fn lp_prints_through_a_cups_backend_and_a_crashing_backend_does_not_take_quired_down() {
    let backends = Backends::install();
    let Some(mut server) = start_quired(&backends) else { return };
    let document = data_dir().join("documents/document-letter.pdf");
    let input = fs::read(&document).expect("read document");

    // A working backend gets exactly the document, and the job completes.
    let out = backends.out("abi");
    let uri = format!("testbe://{}", out.display());
    ok(&server, "lpadmin", &["-p", "abi", "-v", &uri, "-E"]);
    let id = submit(&server, "abi", &document);
    let done = wait_until(Duration::from_secs(30), || job_listed(&server, "abi", id, "completed"));
    assert!(done, "job {id} did not complete\n{}", server.log_tail(60));
    assert_eq!(
        fs::read(out.join("data")).expect("backend output"),
        input,
        "the backend got other bytes"
    );
    let argv = fs::read_to_string(out.join("argv")).expect("argv");
    let argv: Vec<&str> = argv.lines().collect();
    assert_eq!(
        argv.first().copied(),
        Some(id.to_string().as_str()),
        "argv[1] is the job id: {argv:?}"
    );
    assert_eq!(argv.get(3).copied(), Some("1"), "argv[4] is the copy count: {argv:?}");
    let env = fs::read_to_string(out.join("env")).expect("env");
    for want in
        [format!("DEVICE_URI={uri}"), "PRINTER=abi".into(), "CONTENT_TYPE=application/pdf".into()]
    {
        assert!(env.lines().any(|l| l == want), "missing {want} in\n{env}");
    }
    let status = ok(&server, "lpstat", &["-p", "abi"]);
    assert!(status.stdout.contains("printer abi is idle"), "{}", status.text());

    // A backend that dies of SIGSEGV fails the job; quired stays up and answers.
    ok(&server, "lpadmin", &["-p", "crash", "-v", "crashbe://nowhere", "-E"]);
    let id = submit(&server, "crash", &document);
    let stopped = wait_until(Duration::from_secs(30), || {
        ok(&server, "lpstat", &["-p", "crash"]).stdout.contains("disabled")
    });
    assert!(
        stopped,
        "the queue was not stopped (stop-printer error policy)\n{}",
        server.log_tail(60)
    );
    assert!(
        !job_listed(&server, "crash", id, "completed"),
        "a crashed backend's job must not complete"
    );
    assert!(server.is_alive(), "quired died\n{}", server.log_tail(60));
    let running = ok(&server, "lpstat", &["-r"]);
    assert!(running.stdout.contains("scheduler is running"), "{}", running.text());
    let printers = ok(&server, "lpstat", &["-p", "abi"]);
    assert!(printers.stdout.contains("printer abi"), "{}", printers.text());
}
