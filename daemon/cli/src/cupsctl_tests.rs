use super::*;

#[test]
fn oracle_tmp() {
    let Ok(dir) = std::env::var("ORACLE") else { return };
    let stock = std::fs::read_to_string(format!("{dir}/../etc/cupsd.conf.stock")).unwrap();
    let host = Host { port: 631, default_socket: false };
    for (flags, file) in [
        ("--debug-logging", "--debug-logging"),
        ("--no-debug-logging", "--no-debug-logging"),
        ("--remote-admin", "--remote-admin"),
        ("--remote-any", "--remote-any"),
        ("--share-printers", "--share-printers"),
        ("--user-cancel-any", "--user-cancel-any"),
        ("--no-user-cancel-any", "--no-user-cancel-any"),
        ("--remote-admin --remote-any --share-printers", "--remote-admin_--remote-any_--share-printers"),
        ("MaxJobs=50 WebInterface=No", "MaxJobs_50_WebInterface_No"),
    ] {
        let args: Vec<String> = flags.split(' ').map(String::from).collect();
        let (changes, _) = parse(&args).unwrap();
        let got = edit(&stock, &changes, host);
        let want = std::fs::read_to_string(format!("{dir}/{file}.conf")).unwrap();
        let want: Vec<&str> = want.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
        let got: Vec<&str> = got.lines().collect();
        if want != got {
            std::fs::write(format!("/tmp/cli_got_{file}"), got.join("\n") + "\n").unwrap();
            std::fs::write(format!("/tmp/cli_want_{file}"), want.join("\n") + "\n").unwrap();
            eprintln!("DIFF {file}");
        }
    }
    let s = settings(&stock);
    let printed: Vec<String> = s.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let want = std::fs::read_to_string(format!("{dir}/../out.stock.txt")).unwrap();
    assert_eq!(printed.join("\n") + "\n", want);
}
