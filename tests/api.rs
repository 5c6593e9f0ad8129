//! API tests through the real router on a real port: set-up, sign-in,
//! throttling, sign-out, roles, tenant isolation, cross-site refusal and
//! token authentication, on SQLite and on PostgreSQL.

mod common;

use common::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;
use tongbu::domain::Role;

async fn json(r: reqwest::Response) -> Value {
    r.json().await.expect("json body")
}

async fn me(app: &TestApp, c: &reqwest::Client) -> reqwest::Response {
    c.get(app.url("/api/v1/me")).send().await.unwrap()
}

on_both_backends! {
    first_run_setup_creates_the_owner_and_is_then_closed => |b| async move {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        // Before anyone exists, every page leads to set-up.
        for path in ["/", "/login", "/w/1/calendar"] {
            let r = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.headers()["location"], "/setup", "{path}");
        }
        let r = c.get(app.url("/setup")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("setup-form"));

        // Bad input is refused with a clear reason and creates nothing.
        let r = app.rpc(&c, "setup", &[("display_name", "O"), ("email", "not-an-email"), ("password", PASSWORD), ("workspace", "Acme")]).await;
        assert!(!r.status().is_success());
        assert_eq!(json(r).await["code"], "invalid");
        let r = app.rpc(&c, "setup", &[("display_name", "O"), ("email", "o@example.com"), ("password", "short"), ("workspace", "Acme")]).await;
        assert_eq!(json(r).await["key"], "ErrPasswordTooShort");
        assert_eq!(app.state.store.count_users().await.unwrap(), 0);

        let (owner, ws) = app.setup_owner("Owner@Example.com").await;
        let body = json(me(&app, &owner).await).await;
        assert_eq!(body["user"]["email"], "owner@example.com");
        assert_eq!(body["workspaces"][0]["id"], ws);
        assert_eq!(body["workspaces"][0]["role"], "owner");

        // Set-up cannot run twice.
        let r = app.rpc(&app.client(), "setup", &[("display_name", "X"), ("email", "x@example.com"), ("password", PASSWORD), ("workspace", "Evil")]).await;
        assert_eq!(json(r).await["key"], "ErrAlreadySetUp");
        let r = c.get(app.url("/setup")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login");
        // The owner lands on their workspace.
        let r = owner.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.headers()["location"], format!("/w/{ws}/calendar"));
        let r = owner.get(app.url(&format!("/w/{ws}/calendar"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("Acme") && html.contains("Calendar"), "dashboard shell renders");
    };

    sign_in_refuses_wrong_passwords_and_unknown_emails_alike => |b| async move {
        let app = TestApp::spawn(b).await;
        app.setup_owner("o@example.com").await;
        let c = app.client();
        let r = app.rpc(&c, "login", &[("email", "o@example.com"), ("password", "wrong password!")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "server functions answer with the error's status");
        let wrong = json(r).await;
        let unknown = json(app.rpc(&c, "login", &[("email", "nobody@example.com"), ("password", "wrong password!")]).await).await;
        assert_eq!(wrong, unknown, "the answer must not reveal which emails exist");
        assert_eq!(wrong["code"], "bad_credentials");
        assert_eq!(me(&app, &c).await.status(), StatusCode::UNAUTHORIZED);
        let ok = app.login("O@example.com", PASSWORD).await;
        assert_eq!(me(&app, &ok).await.status(), StatusCode::OK);
    };

    sign_in_is_throttled_per_account_with_a_clear_message => |b| async move {
        let app = TestApp::spawn(b).await;
        app.setup_owner("o@example.com").await;
        let c = app.client();
        for _ in 0..5 {
            let r = json(app.rpc(&c, "login", &[("email", "o@example.com"), ("password", "wrong password!")]).await).await;
            assert_eq!(r["code"], "bad_credentials");
        }
        // Now even the right password is refused, and the message says when to retry.
        let r = json(app.rpc(&c, "login", &[("email", "o@example.com"), ("password", PASSWORD)]).await).await;
        assert_eq!(r["code"], "throttled");
        let wait = r["retry_after_secs"].as_u64().unwrap();
        assert!(wait > 0 && wait <= 15 * 60, "{wait}");
        // Time passes (the injected clock), the lock lifts.
        app.clock.advance(chrono::Duration::minutes(16));
        app.login("o@example.com", PASSWORD).await;
    };

    sign_in_is_throttled_per_address_across_accounts => |b| async move {
        let app = TestApp::spawn(b).await;
        app.setup_owner("o@example.com").await;
        let c = app.client();
        for i in 0..20 {
            let email = format!("guess{i}@example.com");
            let r = json(app.rpc(&c, "login", &[("email", &email), ("password", "wrong password!")]).await).await;
            assert_eq!(r["code"], "bad_credentials");
        }
        let r = json(app.rpc(&c, "login", &[("email", "o@example.com"), ("password", PASSWORD)]).await).await;
        assert_eq!(r["code"], "throttled");
    };

    signing_out_ends_the_session_for_good => |b| async move {
        let app = TestApp::spawn(b).await;
        app.setup_owner("o@example.com").await;
        let cookie = login_cookie(&app, "o@example.com").await;
        let bare = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = bare.get(app.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = bare.post(app.url("/rpc/logout")).header("cookie", &cookie).header("accept", "application/json").send().await.unwrap();
        assert!(r.status().is_success());
        // Replaying the old cookie does not bring the session back.
        let r = bare.get(app.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = bare.get(app.url("/w/1/calendar")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/login?next="));
    };

    the_session_id_changes_at_sign_in => |b| async move {
        let app = TestApp::spawn(b).await;
        app.setup_owner("o@example.com").await;
        let first = login_cookie(&app, "o@example.com").await;
        let bare = reqwest::Client::new();
        let r = bare
            .post(app.url("/rpc/login"))
            .header("cookie", &first)
            .header("accept", "application/json")
            .form(&[("email", "o@example.com"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        let second = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|v| v.starts_with("tongbu_session=")).expect("a new session cookie");
        assert!(second.contains("HttpOnly") && second.contains("SameSite=Lax"), "{second}");
        assert!(!second.contains("Secure"), "plain http on loopback gets no Secure flag");
        assert!(!second.starts_with(&first), "the id must be cycled at sign-in");
        // The pre-sign-in id is dead.
        let r = bare.get(app.url("/api/v1/me")).header("cookie", &first).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    };

    idle_sessions_end => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, _) = app.setup_owner("o@example.com").await;
        app.clock.advance(chrono::Duration::minutes(30));
        assert_eq!(me(&app, &owner).await.status(), StatusCode::OK);
        // The default idle timeout is eight hours.
        app.clock.advance(chrono::Duration::hours(9));
        assert_eq!(me(&app, &owner).await.status(), StatusCode::UNAUTHORIZED);
    };

    sessions_end_at_the_absolute_timeout_however_active => |b| async move {
        let db = common::TestDb::new(b).await;
        let app = TestApp::spawn_configured(db, |c| {
            c.session_idle_minutes = 30 * 24 * 60;
            c.session_absolute_hours = 2;
        })
        .await;
        let (owner, _) = app.setup_owner("o@example.com").await;
        for _ in 0..3 {
            app.clock.advance(chrono::Duration::minutes(30));
            assert_eq!(me(&app, &owner).await.status(), StatusCode::OK);
        }
        app.clock.advance(chrono::Duration::minutes(31));
        assert_eq!(me(&app, &owner).await.status(), StatusCode::UNAUTHORIZED);
        // Signing in again starts a new session.
        let again = app.login("o@example.com", PASSWORD).await;
        assert_eq!(me(&app, &again).await.status(), StatusCode::OK);
    };

    roles_are_enforced_on_every_member_route => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        let admin = app.member("admin@example.com", "Acme", Role::Admin).await;
        let editor = app.member("editor@example.com", "Acme", Role::Editor).await;
        let viewer = app.member("viewer@example.com", "Acme", Role::Viewer).await;
        let members = format!("/api/v1/workspaces/{ws}/members");
        let invitations = format!("/api/v1/workspaces/{ws}/invitations");
        // Every member may read the member list.
        for c in [&owner, &admin, &editor, &viewer] {
            assert_eq!(c.get(app.url(&members)).send().await.unwrap().status(), StatusCode::OK);
        }
        // Editors and viewers may not invite, change roles or reset passwords.
        let viewer_id = member_id(&app, &owner, ws, "viewer@example.com").await;
        for c in [&editor, &viewer] {
            let r = c.post(app.url(&invitations)).json(&serde_json::json!({"email": "n@example.com", "role": "viewer"})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let r = c.patch(app.url(&format!("{members}/{viewer_id}"))).json(&serde_json::json!({"role": "admin"})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let r = c.post(app.url(&format!("{members}/{viewer_id}/reset-password"))).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            let r = c.get(app.url(&format!("/api/v1/workspaces/{ws}/audit"))).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        // Admins manage members but cannot create or touch owners.
        let r = admin.post(app.url(&invitations)).json(&serde_json::json!({"email": "n@example.com", "role": "owner"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let owner_id = member_id(&app, &owner, ws, "o@example.com").await;
        let r = admin.patch(app.url(&format!("{members}/{owner_id}"))).json(&serde_json::json!({"role": "viewer"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = admin.patch(app.url(&format!("{members}/{viewer_id}"))).json(&serde_json::json!({"role": "approver"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(role_of(&app, &owner, ws, "viewer@example.com").await, "approver");
        // Invalid input gets a clear 422 and changes nothing.
        let r = admin.patch(app.url(&format!("{members}/{viewer_id}"))).json(&serde_json::json!({"role": "emperor"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(json(r).await["error"]["code"], "invalid");
        let r = admin.patch(app.url(&format!("{members}/{viewer_id}"))).body("{not json").header("content-type", "application/json").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(role_of(&app, &owner, ws, "viewer@example.com").await, "approver");
        // The last owner stays.
        let r = owner.delete(app.url(&format!("{members}/{owner_id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "cannot remove yourself");
        // The audit log recorded the role change, for admins.
        let log = json(admin.get(app.url(&format!("/api/v1/workspaces/{ws}/audit"))).send().await.unwrap()).await;
        assert!(log.as_array().unwrap().iter().any(|e| e["action"] == "member.role_change"));
        // Server functions apply the same rules.
        let r = app.rpc(&editor, "change_member_role", &[("ws", &ws.to_string()), ("member", &viewer_id.to_string()), ("role", "admin")]).await;
        assert_eq!(json(r).await["code"], "forbidden");
    };

    members_of_one_workspace_get_404_for_another => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws_a) = app.setup_owner("o@example.com").await;
        let stranger = app.member("s@example.com", "Beta", Role::Owner).await;
        let ws_b = json(me(&app, &stranger).await).await["workspaces"][0]["id"].as_i64().unwrap();
        assert_ne!(ws_a, ws_b);
        let stranger_id = json(me(&app, &stranger).await).await["user"]["id"].as_i64().unwrap();
        for (method, path) in [
            ("GET", format!("/api/v1/workspaces/{ws_b}")),
            ("GET", format!("/api/v1/workspaces/{ws_b}/members")),
            ("GET", format!("/api/v1/workspaces/{ws_b}/invitations")),
            ("GET", format!("/api/v1/workspaces/{ws_b}/audit")),
            ("POST", format!("/api/v1/workspaces/{ws_b}/invitations")),
            ("PATCH", format!("/api/v1/workspaces/{ws_b}/members/{stranger_id}")),
            ("DELETE", format!("/api/v1/workspaces/{ws_b}/members/{stranger_id}")),
            ("POST", format!("/api/v1/workspaces/{ws_b}/members/{stranger_id}/reset-password")),
            ("GET", "/api/v1/workspaces/not-a-number".to_owned()),
        ] {
            let r = owner
                .request(method.parse().unwrap(), app.url(&path))
                .json(&serde_json::json!({"email": "x@example.com", "role": "viewer"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(json(r).await["error"]["code"], "not_found");
        }
        let r = app.rpc(&owner, "list_members", &[("ws", &ws_b.to_string())]).await;
        assert_eq!(json(r).await["code"], "not_found");
        let r = owner.get(app.url(&format!("/w/{ws_b}/calendar"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(!r.text().await.unwrap().contains("Beta"), "nothing of the other workspace leaks");
        // And the stranger's data is intact.
        assert_eq!(json(me(&app, &stranger).await).await["workspaces"][0]["name"], "Beta");
    };

    cross_site_state_changes_are_refused => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        let host = app.addr.to_string();
        // A form on another site posting to the sign-in or any server function.
        for (header, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site"), ("origin", "null")] {
            let r = owner
                .post(app.url("/rpc/create_workspace"))
                .header(header, value)
                .form(&[("name", "Forged")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
            assert_eq!(json(r).await["error"]["code"], "cross_site");
        }
        let r = owner
            .post(app.url(&format!("/api/v1/workspaces/{ws}/invitations")))
            .header("origin", "https://evil.example")
            .json(&serde_json::json!({"email": "n@example.com", "role": "viewer"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let names: Vec<String> = json(me(&app, &owner).await).await["workspaces"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_owned()).collect();
        assert_eq!(names, vec!["Acme"], "nothing was created");
        // The same request from the page itself passes.
        let r = owner
            .post(app.url("/rpc/create_workspace"))
            .header("origin", format!("http://{host}"))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(&[("name", "Legit")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        // No server function changes anything through a GET (a link or an
        // image tag could trigger it).
        let r = owner.get(app.url("/rpc/create_workspace?name=ViaGet")).send().await.unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
        let names: Vec<String> = json(me(&app, &owner).await).await["workspaces"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_owned()).collect();
        assert!(!names.contains(&"ViaGet".to_owned()));
        // Reading is never refused.
        let r = owner.get(app.url("/api/v1/me")).header("sec-fetch-site", "cross-site").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    };

    api_tokens_authenticate_until_revoked => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        let r = owner.post(app.url("/api/v1/tokens")).json(&serde_json::json!({"name": "ci"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let created = json(r).await;
        let token = created["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("tb_"));
        let bare = reqwest::Client::new();
        let r = bare.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(json(r).await["workspaces"][0]["id"], ws);
        // Token requests need no Origin and are not cookies: no cross-site issue.
        let r = bare.post(app.url("/api/v1/workspaces")).bearer_auth(&token).header("origin", "https://ci.example").json(&serde_json::json!({"name": "From CI"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        // The secret is never listed again.
        let list = json(owner.get(app.url("/api/v1/tokens")).send().await.unwrap()).await;
        assert!(!list.to_string().contains(&token));
        assert_eq!(list[0]["prefix"], token[..9]);
        for bad in ["tb_nope", "garbage", ""] {
            let r = bare.get(app.url("/api/v1/me")).bearer_auth(bad).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{bad:?}");
        }
        let id = created["view"]["id"].as_i64().unwrap();
        let r = owner.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = bare.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(json(r).await["error"]["code"], "unauthenticated");
    };

    changing_the_password_signs_out_other_sessions => |b| async move {
        let app = TestApp::spawn(b).await;
        let (laptop, _) = app.setup_owner("o@example.com").await;
        let phone = app.login("o@example.com", PASSWORD).await;
        let r = app.rpc(&laptop, "change_password", &[("current", "wrong password!"), ("new", "a brand new passphrase")]).await;
        assert_eq!(json(r).await["key"], "ErrWrongCurrentPassword");
        let r = app.rpc(&laptop, "change_password", &[("current", PASSWORD), ("new", "a brand new passphrase")]).await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        assert_eq!(me(&app, &laptop).await.status(), StatusCode::OK, "the session that changed it stays");
        assert_eq!(me(&app, &phone).await.status(), StatusCode::UNAUTHORIZED, "other sessions end");
        app.login("o@example.com", "a brand new passphrase").await;
    };

    an_admin_resets_a_members_password => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        let editor = app.member("e@example.com", "Acme", Role::Editor).await;
        let id = member_id(&app, &owner, ws, "e@example.com").await;
        let r = owner.post(app.url(&format!("/api/v1/workspaces/{ws}/members/{id}/reset-password"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let temporary = json(r).await["temporary_password"].as_str().unwrap().to_owned();
        assert_eq!(me(&app, &editor).await.status(), StatusCode::UNAUTHORIZED);
        let c = app.client();
        let r = app.rpc(&c, "login", &[("email", "e@example.com"), ("password", PASSWORD)]).await;
        assert_eq!(json(r).await["code"], "bad_credentials");
        app.login("e@example.com", &temporary).await;
    };

    an_invitation_brings_a_new_member_in_once => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        let r = owner.post(app.url(&format!("/api/v1/workspaces/{ws}/invitations"))).json(&serde_json::json!({"email": "New@Example.com", "role": "approver"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let path = json(r).await["accept_path"].as_str().unwrap().to_owned();
        let secret = path.trim_start_matches("/invite/").to_owned();
        let guest = app.client();
        let preview = json(app.rpc(&guest, "invitation_preview", &[("secret", &secret)]).await).await;
        assert_eq!(preview["workspace_name"], "Acme");
        assert_eq!(preview["account_exists"], false);
        let r = app.rpc(&guest, "accept_invitation", &[("secret", &secret), ("display_name", "Newcomer"), ("password", PASSWORD)]).await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let body = json(me(&app, &guest).await).await;
        assert_eq!(body["user"]["email"], "new@example.com");
        assert_eq!(body["workspaces"][0]["role"], "approver");
        let r = app.rpc(&app.client(), "accept_invitation", &[("secret", &secret), ("display_name", "Again"), ("password", PASSWORD)]).await;
        assert_eq!(json(r).await["key"], "ErrInvitationInvalid");
        // Inviting someone who is already a member is refused.
        let r = owner.post(app.url(&format!("/api/v1/workspaces/{ws}/invitations"))).json(&serde_json::json!({"email": "new@example.com", "role": "viewer"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
    };

    health_reports_the_database => |b| async move {
        let app = TestApp::spawn(b).await;
        let r = reqwest::get(app.url("/healthz")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = json(r).await;
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"]["reachable"], true);
        let expected = match b { common::Backend::Sqlite => "sqlite", common::Backend::Postgres => "postgres" };
        assert_eq!(body["database"]["backend"], expected);
        // Nothing is waiting to go out, so nothing is late.
        for key in ["overdue", "stuck", "unknown", "needs_attention"] {
            assert_eq!(body["deliveries"][key], 0, "{key}");
        }
    };

    pages_speak_the_browsers_language_then_the_saved_one => |b| async move {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        let c = app.client();
        let html = c.get(app.url("/login")).header("accept-language", "zh-CN,zh;q=0.9").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("lang=\"zh-Hans\"") && html.contains("登录"), "Simplified Chinese from the browser");
        let html = c.get(app.url("/login")).header("accept-language", "zh-TW").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("lang=\"zh-Hant\"") && html.contains("登入"));
        // The owner's saved preference beats the browser.
        let r = app.rpc(&owner, "set_language", &[("tag", "zh-Hant")]).await;
        assert!(r.status().is_success());
        let html = owner.get(app.url(&format!("/w/{ws}/settings"))).header("accept-language", "en").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("lang=\"zh-Hant\"") && html.contains("設定"));
        let r = app.rpc(&owner, "set_language", &[("tag", "klingon")]).await;
        assert_eq!(json(r).await["code"], "invalid");
    };
}

/// Signs in with a cookie-less client and returns `tongbu_session=...`.
async fn login_cookie(app: &TestApp, email: &str) -> String {
    let r = app
        .rpc(
            &reqwest::Client::new(),
            "login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("tongbu_session="))
        .expect("session cookie");
    cookie.split(';').next().unwrap().to_owned()
}

async fn member_id(app: &TestApp, c: &reqwest::Client, ws: i64, email: &str) -> i64 {
    let list = json(
        c.get(app.url(&format!("/api/v1/workspaces/{ws}/members")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .expect("member")["user_id"]
        .as_i64()
        .unwrap()
}

async fn role_of(app: &TestApp, c: &reqwest::Client, ws: i64, email: &str) -> String {
    let list = json(
        c.get(app.url(&format!("/api/v1/workspaces/{ws}/members")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .expect("member")["role"]
        .as_str()
        .unwrap()
        .to_owned()
}
