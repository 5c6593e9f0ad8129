//! The command line as scripts use it: migrate, create a user with the
//! password on standard input, create a token, then use it against the API.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn tongbu(db: &common::TestDb, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongbu"))
        .args(args)
        .env("TONGBU_DATA_DIR", db.dir.path())
        .env("TONGBU_DATABASE_URL", &db.url)
        .env("TONGBU_LOG", "warn")
        .env_remove("TONGBU_CONFIG")
        .current_dir(db.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tongbu");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait")
}

on_both_backends! {
    scripts_create_users_and_tokens_that_the_api_accepts => |b| async move {
        let db = common::TestDb::new(b).await;
        let out = tongbu(&db, &["migrate"], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

        let out = tongbu(&db, &["admin", "create-user", "--email", "Ann@Example.com", "--workspace", "Harbour Tea", "--role", "owner"], Some("a long passphrase\n"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // A second member with a weak password is refused with the reason.
        let out = tongbu(&db, &["admin", "create-user", "--email", "bob@example.com", "--workspace", "Harbour Tea", "--role", "editor"], Some("short\n"));
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
        let out = tongbu(&db, &["admin", "create-user", "--email", "bob@example.com", "--workspace", "Harbour Tea", "--role", "emperor"], Some("a long passphrase\n"));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));

        let out = tongbu(&db, &["admin", "create-token", "--email", "ann@example.com"], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert!(token.starts_with("tb_"), "{token}");

        let app = common::TestApp::spawn_on(db).await;
        let me: serde_json::Value = reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["user"]["email"], "ann@example.com");
        assert_eq!(me["workspaces"][0]["name"], "Harbour Tea");
        assert_eq!(me["workspaces"][0]["role"], "owner");
        // And the password from standard input signs in.
        app.login("ann@example.com", "a long passphrase").await;
    };
}
