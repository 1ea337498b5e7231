//! A private BIND `named` on 127.0.0.1 and a free port (or on a host of a simulated LAN,
//! [`Named::start_at`]), primary for one dynamic zone that takes RFC 2136 updates signed with
//! a TSIG key made by `tsig-keygen` (hmac-sha256): the unicast DNS server wide-area DNS-SD
//! publishes to. Killed on drop; its files (config, zone, journal, log) live in a temporary
//! directory. `dig` and `nsupdate` run where it runs.

use std::fs;
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;

use crate::process::{
    free_port, have_program, other, run_with_timeout, wait_until, ChildGuard, Place,
};
use crate::CmdOutput;

/// The programs [`Named`] and its checks run (Debian's bind9 and bind9-dnsutils).
pub const PROGRAMS: [&str; 5] = ["named", "tsig-keygen", "named-checkzone", "dig", "nsupdate"];

/// Which of [`PROGRAMS`] are missing.
pub fn missing_programs() -> Vec<&'static str> {
    PROGRAMS.into_iter().filter(|p| !have_program(p)).collect()
}

/// A TSIG key as `tsig-keygen` made it: its name and base64 secret.
#[derive(Debug, Clone)]
pub struct TsigKey {
    pub name: String,
    pub secret: String,
}

pub struct Named {
    dir: TempDir,
    place: Place,
    ip: Ipv4Addr,
    port: u16,
    zone: String,
    /// The key the zone takes updates signed with.
    pub key: TsigKey,
    /// A second key the zone also takes: another host publishing in the same zone.
    pub other_key: TsigKey,
    child: ChildGuard,
}

impl Named {
    /// Starts named, primary for `zone` (`campus.test`), and waits until it answers for it.
    pub fn start(zone: &str) -> io::Result<Named> {
        Named::start_on(zone, free_port()?)
    }

    /// [`Named::start`] on a given port (one a client was told of before the server ran).
    pub fn start_on(zone: &str, port: u16) -> io::Result<Named> {
        Named::start_on_with_key(zone, port, &keygen("quire-key")?)
    }

    /// [`Named::start_on`] taking updates signed with `key` (one a client already holds).
    pub fn start_on_with_key(zone: &str, port: u16, key: &TsigKey) -> io::Result<Named> {
        Named::start_at(Place::here(), Ipv4Addr::LOCALHOST, port, zone, key)
    }

    /// named run at `place` (a host of a simulated LAN), listening on `ip`:`port` there.
    pub fn start_at(
        place: Place,
        ip: Ipv4Addr,
        port: u16,
        zone: &str,
        key: &TsigKey,
    ) -> io::Result<Named> {
        let zone = zone.trim_end_matches('.').to_string();
        let dir = tempfile::Builder::new().prefix("quire-named-").tempdir()?;
        let key = key.clone();
        let other_key = keygen("other-host-key")?;
        fs::write(dir.path().join(format!("{zone}.db")), initial_zone(&zone))?;
        let conf = config(dir.path(), ip, port, &zone, &key, &other_key);
        fs::write(dir.path().join("named.conf"), conf)?;
        let log = fs::File::create(dir.path().join("named.log"))?;
        let mut cmd = place.command("named");
        // -g: foreground, log to stderr; -n 1: one worker (the machine is shared).
        cmd.args(["-g", "-n", "1", "-c"])
            .arg(dir.path().join("named.conf"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = ChildGuard::spawn("named", &mut cmd)?;
        let mut named = Named { dir, place, ip, port, zone, key, other_key, child };
        let soa = format!("{}.", named.zone);
        if !wait_until(Duration::from_secs(20), || {
            named.child.check_alive().is_ok()
                && named.dig(&soa, "SOA").map(|a| !a.is_empty()).unwrap_or(false)
        }) {
            return Err(other(format!("named did not start:\n{}", named.log())));
        }
        Ok(named)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `IP:PORT`, as `DNSSDUpdateServer` names it.
    pub fn address(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }

    /// The zone, with its trailing dot.
    pub fn zone(&self) -> String {
        format!("{}.", self.zone)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// named's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("named.log")).unwrap_or_default()
    }

    /// `dig @IP -p PORT +short NAME TYPE` over TCP (no retries to wait for): the
    /// answers, one a line, sorted.
    pub fn dig(&self, name: &str, rtype: &str) -> io::Result<Vec<String>> {
        let out = self.dig_raw(&["+short", "+tcp", name, rtype])?;
        let mut lines: Vec<String> = out.stdout.lines().map(str::to_string).collect();
        lines.sort();
        Ok(lines)
    }

    /// `dig @IP -p PORT ARGS...`, checked to have run.
    pub fn dig_raw(&self, args: &[&str]) -> io::Result<CmdOutput> {
        let mut a = vec![format!("@{}", self.ip), "-p".into(), self.port.to_string()];
        a.extend(["+time=2".to_string(), "+tries=1".to_string()]);
        a.extend(args.iter().map(|s| s.to_string()));
        let out = self.place.run(15, "dig", &a, &[])?;
        if out.rc != 0 {
            return Err(other(format!("dig {args:?} failed: {}", out.text())));
        }
        Ok(out)
    }

    /// Runs `nsupdate` with `commands` (server and zone lines are added), signed with `key`.
    pub fn nsupdate(&self, key: &TsigKey, commands: &str) -> io::Result<CmdOutput> {
        let script = self.dir.path().join("nsupdate.txt");
        let text =
            format!("server {} {}\nzone {}.\n{commands}\nsend\n", self.ip, self.port, self.zone);
        fs::write(&script, text)?;
        let y = format!("hmac-sha256:{}:{}", key.name, key.secret);
        let args = vec!["-y".to_string(), y, script.display().to_string()];
        self.place.run(20, "nsupdate", &args, &[])
    }

    /// The zone as named holds it now, dumped with `dig AXFR` (allowed from loopback).
    pub fn axfr(&self) -> io::Result<String> {
        Ok(self.dig_raw(&["+nocmd", "+nostats", "AXFR", &self.zone()])?.stdout)
    }
}

/// `named-checkzone ZONE FILE`.
pub fn checkzone(zone: &str, file: &Path) -> io::Result<CmdOutput> {
    let args = vec![zone.to_string(), file.display().to_string()];
    run_with_timeout(20, "named-checkzone", &args, None, &[])
}

/// A new hmac-sha256 key from `tsig-keygen`.
pub fn keygen(name: &str) -> io::Result<TsigKey> {
    let out = run_with_timeout(
        20,
        "tsig-keygen",
        &["-a".into(), "hmac-sha256".into(), name.into()],
        None,
        &[],
    )?;
    let secret = out
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("secret \""))
        .and_then(|s| s.strip_suffix("\";"))
        .ok_or_else(|| other(format!("no secret in tsig-keygen's output: {}", out.text())))?;
    Ok(TsigKey { name: name.to_string(), secret: secret.to_string() })
}

fn initial_zone(zone: &str) -> String {
    format!(
        "$ORIGIN {zone}.\n$TTL 60\n\
         @ IN SOA ns.{zone}. hostmaster.{zone}. ( 1 3600 600 86400 60 )\n\
         @ IN NS ns.{zone}.\n\
         ns IN A 127.0.0.1\n\
         quire IN A 127.0.0.1\n"
    )
}

fn config(
    dir: &Path,
    ip: Ipv4Addr,
    port: u16,
    zone: &str,
    key: &TsigKey,
    other_key: &TsigKey,
) -> String {
    let d = dir.display();
    let k = |k: &TsigKey| {
        format!("key \"{}\" {{ algorithm hmac-sha256; secret \"{}\"; }};\n", k.name, k.secret)
    };
    format!(
        "{}{}options {{\n  directory \"{d}\";\n  pid-file none;\n  session-keyfile none;\n  \
         managed-keys-directory \"{d}\";\n  listen-on port {port} {{ {ip}; }};\n  \
         listen-on-v6 {{ none; }};\n  recursion no;\n  dnssec-validation no;\n  \
         allow-transfer {{ any; }};\n  notify no;\n}};\ncontrols {{ }};\n\
         zone \"{zone}\" {{\n  type primary;\n  file \"{zone}.db\";\n  \
         allow-update {{ key \"{}\"; key \"{}\"; }};\n}};\n",
        k(key),
        k(other_key),
        key.name,
        other_key.name
    )
}
