//! The Debian package (packaging/): its man pages name every option and command the binaries
//! have, its bash completion completes commands, options and destinations from a real quired,
//! and the package itself is built (`packaging/build-deb`, lintian-clean) and installed beside
//! cups-daemon on a throwaway Debian root, then removed, handing the root back to cupsd
//! (`packaging/test-debian-root`, which says what it checks).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use quire_tests::process::{have_program, run_with_timeout};
use quire_tests::{cups_tool_ok, quired_binary, workspace_root, Server, Via};

fn packaging() -> PathBuf {
    workspace_root().join("packaging")
}

fn built(name: &str) -> Option<PathBuf> {
    quired_binary().map(|q| q.with_file_name(name)).filter(|p| p.is_file())
}

/// The options a program's `--help` lists, one entry per line: the spellings of one option
/// (`["-V", "--version"]`, `["-c"]`, `["--state-dir"]`).
fn options_in_help(help: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in help.lines() {
        let words = line.trim_start().split([' ', ',', '<', '=']).filter(|w| !w.is_empty());
        let spellings: Vec<String> = words
            .take_while(|w| w.starts_with('-'))
            .filter(|w| w.len() > 1 && *w != "--")
            .map(str::to_string)
            .collect();
        if !spellings.is_empty() {
            found.push(spellings);
        }
    }
    found
}

fn help_of(bin: &Path) -> String {
    let out = Command::new(bin).arg("--help").output().expect("run --help");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn man_pages_name_every_option_of_quired_and_every_command_of_quire() {
    let (Some(quired), Some(quire)) = (quired_binary(), built("quire")) else {
        quire_tests::skipped("quired or quire not built");
        return;
    };
    let page = std::fs::read_to_string(packaging().join("man/quired.8.in")).unwrap();
    let options = options_in_help(&help_of(&quired));
    assert!(
        options.iter().any(|o| o == &["-c"]),
        "no options read from quired --help: {options:?}"
    );
    for spellings in &options {
        let described = spellings.iter().any(|o| describes(&page, o));
        assert!(described, "quired.8 does not describe {spellings:?}");
    }
    let page = std::fs::read_to_string(packaging().join("man/quire.1.in")).unwrap();
    let help = help_of(&quire);
    let commands = commands_in_help(&help);
    assert!(commands.len() >= 4, "no commands read from quire --help:\n{help}");
    for command in &commands {
        assert!(page.contains(&format!("\n.B {command}\n")), "quire.1 does not describe {command}");
    }
}

/// The page has an entry for `option` (`.B \-f` or `.BI \-c " file"`, at the start of a line).
fn describes(page: &str, option: &str) -> bool {
    let roff = option.replace('-', "\\-");
    page.contains(&format!("\n.B {roff}\n")) || page.contains(&format!("\n.BI {roff} "))
}

/// The subcommands under clap's `Commands:` heading.
fn commands_in_help(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Runs the completion function for the words `line` (the cursor on the last one) in bash,
/// with the built `quire` first on PATH; returns the candidates.
fn complete(quire: &Path, line: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; _quire; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        packaging().join("completions/quire.bash").display(),
        words.join(" "),
        line.len() - 1
    );
    let dir = quire.parent().unwrap().display().to_string();
    let path = format!("{dir}:{}", std::env::var("PATH").unwrap_or_default());
    let mut vars: Vec<(String, String)> = vec![("PATH".into(), path)];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let out = run_with_timeout(30, "bash", &["-c".into(), script], None, &vars).unwrap();
    assert_eq!(out.rc, 0, "bash completion for {line:?}: {}", out.text());
    out.stdout.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn bash_completion_offers_commands_options_and_the_servers_destinations() {
    let Some(quire) = built("quire") else {
        quire_tests::skipped("quire not built");
        return;
    };
    let commands = complete(&quire, &["quire", "lp"], &[]);
    for want in ["lp", "lpadmin", "lpstat"] {
        assert!(commands.iter().any(|c| c == want), "quire lp<TAB>: {commands:?}");
    }
    let options = complete(&quire, &["quire", "lpstat", "-"], &[]);
    for want in ["-a", "-p", "-t", "-W", "--help"] {
        assert!(options.iter().any(|c| c == want), "quire lpstat -<TAB>: {options:?}");
    }
    let Some(server) = Server::start_quired().expect("start quired") else {
        quire_tests::skipped("quired not built");
        return;
    };
    let uri = format!("file://{}", server.out_dir().join("pkg.prn").display());
    cups_tool_ok(&server, Via::Tcp, "lpadmin", &["-p", "PkgQueue", "-v", &uri, "-E"]).unwrap();
    let host = server.host_port();
    let dests = complete(&quire, &["quire", "lp", "-h", &host, "-d", "Pkg"], &[]);
    assert_eq!(dests, ["PkgQueue"], "quire lp -h {host} -d Pkg<TAB>");
    let titles = complete(&quire, &["quire", "lp", "-t", ""], &[]);
    assert!(titles.is_empty(), "a title is not completed: {titles:?}");
    zsh_runs_the_bash_completion(&quire);
}

/// The zsh completion (`_quire`) loads the bash one through bashcompinit: the function gives
/// the same candidates under zsh's emulation of bash's completion.
fn zsh_runs_the_bash_completion(quire: &Path) {
    if !have_program("zsh") {
        quire_tests::skipped("zsh missing: the zsh completion was not checked");
        return;
    }
    let glue = std::fs::read_to_string(packaging().join("completions/_quire")).unwrap();
    assert!(glue.contains("bashcompinit") && glue.contains("_bash_complete -F _quire"));
    let script = format!(
        "autoload -U +X compinit && compinit -u; autoload -U +X bashcompinit && bashcompinit; \
         source '{}'; emulate -L sh; setopt kshglob noshglob braceexpand; \
         COMP_WORDS=(quire lpstat -); COMP_CWORD=2; COMPREPLY=(); _quire; echo \"${{COMPREPLY[*]}}\"",
        packaging().join("completions/quire.bash").display()
    );
    let dir = quire.parent().unwrap().display().to_string();
    let path = format!("{dir}:{}", std::env::var("PATH").unwrap_or_default());
    let out = run_with_timeout(
        30,
        "zsh",
        &["-f".into(), "-c".into(), script],
        None,
        &[("PATH".into(), path)],
    )
    .unwrap();
    assert_eq!(out.rc, 0, "zsh: {}", out.text());
    for want in ["-a", "-p", "-t", "--help"] {
        assert!(out.stdout.split_whitespace().any(|w| w == want), "zsh: {}", out.stdout);
    }
}

#[test]
fn debian_package_builds_lintian_clean_and_hands_a_debian_root_back_to_cupsd() {
    let Some(quired) = quired_binary() else {
        quire_tests::skipped("quired not built");
        return;
    };
    if !nix::unistd::Uid::effective().is_root() {
        quire_tests::skipped("the Debian root test needs root (debootstrap, chroot)");
        return;
    }
    let tools = ["dpkg-buildpackage", "dh", "lintian", "debootstrap", "chroot", "tar"];
    if let Some(tool) = tools.iter().find(|t| !have_program(t)) {
        quire_tests::skipped(&format!("{tool} missing: run tests/scripts/install-test-deps"));
        return;
    }
    let bin_dir = quired.parent().unwrap().display().to_string();
    let out_dir = quired.parent().unwrap().join("deb-test");
    let out = run_with_timeout(
        1800,
        &packaging().join("build-deb").display().to_string(),
        &["--bin-dir".into(), bin_dir, "--out".into(), out_dir.display().to_string()],
        None,
        &[],
    )
    .unwrap();
    assert_eq!(out.rc, 0, "packaging/build-deb failed:\n{}", out.text());
    let deb = out.stdout.lines().last().unwrap_or_default().to_string();
    assert!(deb.ends_with(".deb") && Path::new(&deb).is_file(), "no package:\n{}", out.text());
    let out = run_with_timeout(
        2400,
        &packaging().join("test-debian-root").display().to_string(),
        &[deb],
        None,
        &[],
    )
    .unwrap();
    println!("{}", out.stdout);
    assert_eq!(out.rc, 0, "packaging/test-debian-root failed:\n{}", out.text());
    let _ = std::fs::remove_dir_all(out_dir);
}
