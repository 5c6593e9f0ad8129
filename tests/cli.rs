//! The command line as scripts use it: migrate, create a user with the
//! password on standard input, create a token, then use it against the API.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use tongbu::domain::post::ConnectionStatus;
use tongbu::domain::WorkspaceId;

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

    rotating_the_key_reencrypts_every_channel_and_they_keep_working => |b| async move {
        use tongbu::domain::content::Platform;
        use tongbu::server::demo::connect_demo;
        let mut app = common::TestApp::spawn_configured(common::TestDb::new(b).await, |c| c.emulator = true).await;
        let (c, ws) = app.setup_owner("owner@example.com").await;
        let owner = app.state.store.user_by_email(&tongbu::domain::parse_email("owner@example.com").unwrap()).await.unwrap().unwrap();
        let wsid = WorkspaceId(ws);
        let mut ids = Vec::new();
        for platform in [Platform::Wechat, Platform::Facebook, Platform::X] {
            let ch = tongbu::server::channels::create_channel(&app.state, &common::as_member(&app.state, &owner, wsid).await, platform, platform.as_str(), "UTC", "", true).await.unwrap();
            connect_demo(&app.state, &common::as_member(&app.state, &owner, wsid).await, ch.id, platform).await.unwrap();
            ids.push(ch.id);
        }
        let data = app.db.dir.path().to_owned();
        let old_key = std::fs::read_to_string(data.join("master.key")).unwrap();
        let before = app.state.store.all_credentials().await.unwrap();

        let out = tongbu(&app.db, &["admin", "rotate-key"], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("re-encrypted 3 channel(s)"));
        let new_key = std::fs::read_to_string(data.join("master.key")).unwrap();
        assert_ne!(new_key, old_key);
        assert_eq!(std::fs::read_to_string(data.join("master.key.previous")).unwrap(), old_key);
        assert!(!data.join("master.key.next").exists());
        let after = app.state.store.all_credentials().await.unwrap();
        for (b4, now) in before.iter().zip(&after) {
            let (old_id, new_id) = (b4.credentials.as_deref().unwrap().split('.').nth(1), now.credentials.as_deref().unwrap().split('.').nth(1));
            assert_ne!(old_id, new_id, "channel {} moved to the new key", now.id);
        }
        // The process still holding the old key refuses to guess: the
        // channel is not flagged for reconnecting.
        app.state.clients.forget(ids[0]);
        let r = c.post(app.url(&format!("/api/v1/channels/{}/check?workspace={ws}", ids[0]))).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
        let row = app.state.store.channel(wsid, ids[0]).await.unwrap().unwrap();
        assert_eq!(row.auth_status, ConnectionStatus::Connected);

        // Restarted with the new key (and the same emulator state), every
        // channel works.
        if let Some(e) = app.emulator.take() {
            e.shutdown().await;
        }
        let data_dir = data.clone();
        let app2 = common::TestApp::spawn_configured(app.db.alias(), move |c| {
            c.emulator = true;
            c.data_dir = data_dir;
        })
        .await;
        let c2 = app2.login("owner@example.com", common::PASSWORD).await;
        for id in &ids {
            let r = c2.post(app2.url(&format!("/api/v1/channels/{id}/check?workspace={ws}"))).send().await.unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::OK, "channel {id}: {}", r.text().await.unwrap_or_default());
        }
        // Rotating again moves every channel to yet another key.
        let out = tongbu(&app.db, &["admin", "rotate-key"], None);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("re-encrypted 3 channel(s)"));
        assert_ne!(std::fs::read_to_string(data.join("master.key")).unwrap(), new_key);
    };
}

#[tokio::test]
async fn the_emulator_runs_alone_and_serves_its_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongbu"))
        .args([
            "emulator",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--state-file",
        ])
        .arg(dir.path().join("emu.json"))
        .env("TONGBU_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("run tongbu emulator");
    let url = format!("http://127.0.0.1:{port}/_emulator/ledger");
    let mut ledger = None;
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(&url).await {
            ledger = Some(r.json::<serde_json::Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        ledger.expect("the emulator answered"),
        serde_json::json!([])
    );
}
