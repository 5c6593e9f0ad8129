//! REST API v1 for channels, posts, review, comments, media and
//! notifications, through the real router on a real port, on SQLite and on
//! PostgreSQL. Time comes from the harness's manual clock; nothing sleeps.
//!
//! Every refusal is checked twice: the answer (status and the
//! `{"error":{"code","message","field"?}}` shape) and that nothing changed,
//! by reading the data back.

mod common;

use common::PNG;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use common::TestApp;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tongbu::clock::Clock;
use tongbu::domain::Role;

type Answer = (StatusCode, Value);

async fn send(
    c: &Client,
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = c.request(method, app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.expect("request");
    read_answer(r).await
}

async fn read_answer(r: reqwest::Response) -> Answer {
    let status = r.status();
    let bytes = r.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, body)
}

/// The body of an answer that must have `want` as its status.
#[track_caller]
fn ok(a: Answer, want: StatusCode) -> Value {
    assert_eq!(a.0, want, "unexpected answer: {}", a.1);
    a.1
}

/// A refusal in the API's error shape.
#[track_caller]
fn refused(a: Answer, want: StatusCode, code: &str) -> Value {
    assert_eq!(a.0, want, "unexpected answer: {}", a.1);
    let e = &a.1["error"];
    assert_eq!(e["code"], code, "{}", a.1);
    assert!(
        e["message"].as_str().is_some_and(|m| !m.trim().is_empty()),
        "a refusal says why: {}",
        a.1
    );
    a.1
}

/// A 422 naming the offending field.
#[track_caller]
fn invalid(a: Answer, field: &str) -> Value {
    let body = refused(a, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(body["error"]["field"], field, "{body}");
    body
}

#[track_caller]
fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// Ids of a JSON list, in order.
#[track_caller]
fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(id_of)
        .collect()
}

fn set(v: &[i64]) -> BTreeSet<i64> {
    v.iter().copied().collect()
}

/// `t` cut to the minute (schedules are picked to the minute).
fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp() - t.timestamp().rem_euclid(60), 0).unwrap()
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// "At `t`", read in UTC, as the API echoes it back.
fn at(t: DateTime<Utc>) -> Value {
    json!({"mode": "at", "local": local(t.naive_utc()), "zone": "UTC", "dst": null})
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Due time of the post's `i`th channel.
#[track_caller]
fn due(post: &Value, i: usize) -> Option<DateTime<Utc>> {
    post["channels"][i]["due_at"]
        .as_str()
        .map(|s| s.parse().unwrap_or_else(|e| panic!("due_at {s:?}: {e}")))
}

#[track_caller]
fn actions(post: &Value) -> Vec<String> {
    post["allowed_actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no allowed_actions in {post}"))
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

const NY: chrono_tz::Tz = chrono_tz::America::New_York;

/// 02:30 on the next spring-forward Sunday in New York (second Sunday of
/// March) at least a day after `after`: a wall-clock time that never happens.
fn next_new_york_gap(after: DateTime<Utc>) -> NaiveDateTime {
    nth_sunday_after(after, 3, 2, 2)
}

/// 01:30 on the next fall-back Sunday in New York (first Sunday of
/// November) at least a day after `after`: a wall-clock time that happens twice.
fn next_new_york_fold(after: DateTime<Utc>) -> NaiveDateTime {
    nth_sunday_after(after, 11, 1, 1)
}

fn nth_sunday_after(after: DateTime<Utc>, month: u32, nth: u32, hour: u32) -> NaiveDateTime {
    for year in after.year()..after.year() + 3 {
        let first = (1..=7)
            .map(|d| NaiveDate::from_ymd_opt(year, month, d).unwrap())
            .find(|d| d.weekday() == Weekday::Sun)
            .unwrap();
        let day = first + Duration::weeks(i64::from(nth) - 1);
        let l = day.and_hms_opt(hour, 30, 0).unwrap();
        if Utc.from_utc_datetime(&l) > after + Duration::days(1) {
            return l;
        }
    }
    unreachable!("a transition every year")
}

const SVG: &[u8] =
    br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>"#;

/// A `multipart/form-data` body with one file part.
fn multipart(field: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "tongbu-test-boundary-5e1f0c";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A fresh app with its owner (in the workspace "Acme").
struct World {
    app: TestApp,
    owner: Client,
    ws: i64,
}

impl World {
    async fn new(b: common::Backend) -> World {
        let app = TestApp::spawn(b).await;
        let (owner, ws) = app.setup_owner("o@example.com").await;
        World { app, owner, ws }
    }

    fn now(&self) -> DateTime<Utc> {
        self.app.clock.now()
    }

    /// A member of Acme with `role`; their display name is the email's local part.
    async fn member(&self, email: &str, role: Role) -> Client {
        self.app.member(email, "Acme", role).await
    }

    async fn get(&self, c: &Client, path: &str) -> Answer {
        send(c, &self.app, Method::GET, &format!("/api/v1{path}"), None).await
    }

    async fn post(&self, c: &Client, path: &str, body: Value) -> Answer {
        send(
            c,
            &self.app,
            Method::POST,
            &format!("/api/v1{path}"),
            Some(body),
        )
        .await
    }

    /// A POST without any body.
    async fn post_empty(&self, c: &Client, path: &str) -> Answer {
        send(c, &self.app, Method::POST, &format!("/api/v1{path}"), None).await
    }

    async fn patch(&self, c: &Client, path: &str, body: Value) -> Answer {
        send(
            c,
            &self.app,
            Method::PATCH,
            &format!("/api/v1{path}"),
            Some(body),
        )
        .await
    }

    /// A body that is not JSON at all.
    async fn raw(&self, c: &Client, method: Method, path: &str, body: &str) -> Answer {
        let r = c
            .request(method, self.app.url(&format!("/api/v1{path}")))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request");
        read_answer(r).await
    }

    async fn upload(&self, c: &Client, ws: i64, part: (String, Vec<u8>)) -> Answer {
        let r = c
            .post(self.app.url(&format!("/api/v1/workspaces/{ws}/media")))
            .header("content-type", part.0)
            .body(part.1)
            .send()
            .await
            .expect("upload");
        read_answer(r).await
    }

    /// Creates a channel as the owner.
    async fn channel(&self, platform: &str, name: &str, zone: &str) -> i64 {
        let body = json!({"platform": platform, "name": name, "time_zone": zone, "slots": ""});
        id_of(&ok(
            self.post(&self.owner, "/channels", body).await,
            StatusCode::CREATED,
        ))
    }

    async fn channels(&self, c: &Client) -> Value {
        ok(self.get(c, "/channels").await, StatusCode::OK)
    }

    /// Creates a post as `c`; it must be accepted.
    async fn create(&self, c: &Client, body: Value) -> Value {
        let post = ok(self.post(c, "/posts", body).await, StatusCode::CREATED);
        assert_eq!(post["state"], "draft");
        post
    }

    /// The post as the owner sees it.
    async fn read(&self, id: i64) -> Value {
        ok(
            self.get(&self.owner, &format!("/posts/{id}")).await,
            StatusCode::OK,
        )
    }

    async fn state(&self, id: i64) -> String {
        self.read(id).await["state"].as_str().unwrap().to_owned()
    }

    async fn act(&self, c: &Client, id: i64, action: &str) -> Answer {
        self.post_empty(c, &format!("/posts/{id}/{action}")).await
    }

    async fn list(&self, c: &Client, query: &str) -> Answer {
        self.get(c, &format!("/posts{query}")).await
    }

    /// Ids of the owner's post list for `query`.
    async fn listed(&self, query: &str) -> Vec<i64> {
        ids(&ok(self.list(&self.owner, query).await, StatusCode::OK))
    }

    async fn user_id(&self, c: &Client) -> i64 {
        ok(self.get(c, "/me").await, StatusCode::OK)["user"]["id"]
            .as_i64()
            .unwrap()
    }

    async fn notifications(&self, c: &Client) -> Value {
        ok(self.get(c, "/notifications").await, StatusCode::OK)
    }

    /// (kind, post id) of `c`'s notifications, newest first.
    async fn notices(&self, c: &Client) -> Vec<(String, i64)> {
        self.notifications(c).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["kind"].as_str().unwrap().to_owned(),
                    n["post_id"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    async fn audit(&self, c: &Client, id: i64) -> Vec<Value> {
        ok(
            self.get(c, &format!("/posts/{id}/audit")).await,
            StatusCode::OK,
        )
        .as_array()
        .unwrap()
        .clone()
    }

    async fn audit_actions(&self, id: i64) -> Vec<String> {
        self.audit(&self.owner, id)
            .await
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn comments(&self, id: i64) -> Value {
        ok(
            self.get(&self.owner, &format!("/posts/{id}/comments"))
                .await,
            StatusCode::OK,
        )
    }

    /// The files stored for workspace `ws`.
    fn media_files(&self, ws: i64) -> Vec<String> {
        let dir = self
            .app
            .state
            .config
            .data_dir
            .join("media")
            .join(ws.to_string());
        let mut names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }
}

on_both_backends! {
    channels_are_configured_by_admins_and_read_by_every_member => |b| async move {
        let w = World::new(b).await;
        let admin = w.member("ad@example.com", Role::Admin).await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let viewer = w.member("v@example.com", Role::Viewer).await;

        let x = ok(
            w.post(&w.owner, "/channels", json!({"platform": "x", "name": "  Acme on X ", "time_zone": "Asia/Shanghai", "slots": "mon-fri 09:00, 18:00"})).await,
            StatusCode::CREATED,
        );
        assert_eq!(x["platform"], "x");
        assert_eq!(x["name"], "Acme on X", "names are trimmed");
        assert_eq!(x["time_zone"], "Asia/Shanghai");
        assert_eq!(x["slots"], "mon-fri 09:00, 18:00");
        // Real endpoints unless the emulator is asked for (and running).
        assert_eq!(x["emulated"], false);
        assert_eq!(x["connection"]["status"], "not_connected");
        // Admins configure too; the workspace may be named explicitly.
        let masto = ok(
            w.post(&admin, &format!("/channels?workspace={}", w.ws), json!({"platform": "mastodon", "name": "Fediverse", "time_zone": "Europe/Berlin"})).await,
            StatusCode::CREATED,
        );
        assert_eq!(masto["slots"], "");
        let both = vec![id_of(&x), id_of(&masto)];

        // Every member reads them, by implicit workspace, query or header.
        for c in [&w.owner, &admin, &approver, &editor, &viewer] {
            assert_eq!(ids(&w.channels(c).await), both);
        }
        assert_eq!(ids(&ok(w.get(&viewer, &format!("/channels?workspace={}", w.ws)).await, StatusCode::OK)), both);
        let r = viewer.get(w.app.url("/api/v1/channels")).header("Tongbu-Workspace", w.ws.to_string()).send().await.unwrap();
        assert_eq!(ids(&ok(read_answer(r).await, StatusCode::OK)), both);

        // Approvers, editors and viewers may not add or change channels.
        for c in [&approver, &editor, &viewer] {
            refused(w.post(c, "/channels", json!({"platform": "bluesky", "name": "Sky", "time_zone": "UTC"})).await, StatusCode::FORBIDDEN, "forbidden");
            refused(w.patch(c, &format!("/channels/{}", id_of(&x)), json!({"name": "Hijacked"})).await, StatusCode::FORBIDDEN, "forbidden");
        }

        // Invalid input: a clear 422 each time.
        refused(w.post(&w.owner, "/channels", json!({"platform": "myspace", "name": "Old", "time_zone": "UTC"})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.post(&w.owner, "/channels", json!({"name": "No platform", "time_zone": "UTC"})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.raw(&w.owner, Method::POST, "/channels", "{not json").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        invalid(w.post(&w.owner, "/channels", json!({"platform": "x", "name": "   ", "time_zone": "UTC"})).await, "name");
        invalid(w.post(&w.owner, "/channels", json!({"platform": "x", "name": "N".repeat(81), "time_zone": "UTC"})).await, "name");
        invalid(w.post(&w.owner, "/channels", json!({"platform": "x", "name": "Mars", "time_zone": "Mars/Olympus_Mons"})).await, "time_zone");
        invalid(w.post(&w.owner, "/channels", json!({"platform": "x", "name": "Slots", "time_zone": "UTC", "slots": "someday 25:00"})).await, "slots");
        // ... and nothing was added.
        assert_eq!(ids(&w.channels(&w.owner).await), both);

        // A partial change keeps the other fields.
        let renamed = ok(w.patch(&admin, &format!("/channels/{}", id_of(&x)), json!({"name": "Acme X"})).await, StatusCode::OK);
        assert_eq!(renamed["name"], "Acme X");
        assert_eq!(renamed["time_zone"], "Asia/Shanghai");
        assert_eq!(renamed["slots"], "mon-fri 09:00, 18:00");
        let moved = ok(w.patch(&w.owner, &format!("/channels/{}", id_of(&x)), json!({"time_zone": "Europe/London", "slots": "daily 12:00"})).await, StatusCode::OK);
        assert_eq!((moved["name"].as_str(), moved["time_zone"].as_str(), moved["slots"].as_str()), (Some("Acme X"), Some("Europe/London"), Some("daily 12:00")));
        // Refused changes change nothing.
        invalid(w.patch(&w.owner, &format!("/channels/{}", id_of(&x)), json!({"time_zone": "Nowhere/Land"})).await, "time_zone");
        invalid(w.patch(&w.owner, &format!("/channels/{}", id_of(&x)), json!({"slots": "mon 9"})).await, "slots");
        invalid(w.patch(&w.owner, &format!("/channels/{}", id_of(&x)), json!({"name": ""})).await, "name");
        refused(w.raw(&w.owner, Method::PATCH, &format!("/channels/{}", id_of(&x)), "[").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        let list = w.channels(&w.owner).await;
        assert_eq!(list[0], moved, "the refused changes left the channel as it was");
        assert_eq!(list[1], masto);
        // Channels that do not exist.
        refused(w.patch(&w.owner, "/channels/999999", json!({"name": "Ghost"})).await, StatusCode::NOT_FOUND, "not_found");
        refused(w.patch(&w.owner, "/channels/abc", json!({"name": "Ghost"})).await, StatusCode::NOT_FOUND, "not_found");
        // Anonymous callers get nothing.
        refused(send(&reqwest::Client::new(), &w.app, Method::GET, "/api/v1/channels", None).await, StatusCode::UNAUTHORIZED, "unauthenticated");
    };

    posts_are_created_read_and_changed_partially => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let m = w.channel("mastodon", "Masto", "Europe/Berlin").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let viewer = w.member("v@example.com", Role::Viewer).await;
        let editor_id = w.user_id(&editor).await;
        let when = minute(w.now() + Duration::days(1));

        let created = ok(
            w.post(&editor, "/posts", json!({
                "text": "Hello world",
                "link": "https://example.com/launch",
                "channels": [x, m],
                "schedule": at(when),
                "campaign": " launch ",
            })).await,
            StatusCode::CREATED,
        );
        let id = id_of(&created);
        assert_eq!(created["state"], "draft");
        assert_eq!(created["workspace_id"], w.ws);
        assert_eq!(created["revision"], 1);
        assert_eq!(created["author"]["id"], editor_id);
        assert_eq!(created["author"]["name"], "e");
        assert_eq!(created["campaign"], "launch", "campaigns are trimmed");
        assert_eq!(created["content"]["text"], "Hello world");
        assert_eq!(created["content"]["link"], "https://example.com/launch");
        assert_eq!(created["schedule"], at(when));
        assert_eq!(created["channels"].as_array().unwrap().len(), 2);
        assert_eq!(created["channels"][0]["channel_id"], x);
        assert_eq!(created["channels"][1]["channel_id"], m);
        assert_eq!(created["channels"][1]["platform"], "mastodon");
        assert_eq!((due(&created, 0), due(&created, 1)), (Some(when), Some(when)));
        assert_eq!(created["channels"][0]["delivery_state"], "pending");
        assert_eq!(created["approvals"], json!([]));
        assert_eq!(created["approvals_required"], 1);
        let can = actions(&created);
        assert!(can.contains(&"submit".to_owned()) && can.contains(&"edit".to_owned()) && can.contains(&"cancel".to_owned()), "{can:?}");
        assert!(!can.contains(&"approve".to_owned()), "editors never approve: {can:?}");

        // Reading it back gives the same post; viewers read but may do nothing.
        assert_eq!(ok(w.get(&editor, &format!("/posts/{id}")).await, StatusCode::OK), created);
        let seen = ok(w.get(&viewer, &format!("/posts/{id}")).await, StatusCode::OK);
        assert_eq!(seen["content"], created["content"]);
        assert_eq!(seen["allowed_actions"], json!([]));

        // A partial change on the current revision.
        let edited = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"expected_revision": 1, "text": "Hello again"})).await, StatusCode::OK);
        assert_eq!(edited["revision"], 2);
        assert_eq!(edited["content"]["text"], "Hello again");
        assert_eq!(edited["content"]["link"], "https://example.com/launch", "absent fields stay");
        assert_eq!(edited["campaign"], "launch");
        assert_eq!(edited["schedule"], at(when));
        assert_eq!(edited["channels"].as_array().unwrap().len(), 2);
        assert_eq!(edited["state"], "draft");

        // A change made on an old revision is refused and changes nothing.
        let stale = refused(w.patch(&w.owner, &format!("/posts/{id}"), json!({"expected_revision": 1, "text": "Overwritten"})).await, StatusCode::CONFLICT, "conflict");
        assert!(stale["error"]["message"].as_str().unwrap().contains("changed"), "{stale}");
        assert_eq!(w.read(id).await["content"]["text"], "Hello again");
        assert_eq!(w.read(id).await["revision"], 2);

        // Nothing to change: no new revision.
        let same = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"expected_revision": 2})).await, StatusCode::OK);
        assert_eq!(same["revision"], 2);
        // Targets, campaign, schedule.
        let narrowed = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"channels": [m], "campaign": "spring"})).await, StatusCode::OK);
        assert_eq!(narrowed["revision"], 3);
        assert_eq!(narrowed["channels"].as_array().unwrap().len(), 1);
        assert_eq!(narrowed["channels"][0]["channel_id"], m);
        assert_eq!(narrowed["campaign"], "spring");
        let later = when + Duration::hours(2);
        let moved = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"schedule": at(later)})).await, StatusCode::OK);
        assert_eq!(due(&moved, 0), Some(later));
        assert_eq!(moved["revision"], 4);
        let unscheduled = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"unschedule": true})).await, StatusCode::OK);
        assert_eq!(unscheduled["schedule"], Value::Null);
        assert_eq!(due(&unscheduled, 0), None);
        assert_eq!(unscheduled["revision"], 5);
        assert_eq!(unscheduled["content"]["text"], "Hello again");

        // Viewers may not write.
        refused(w.patch(&viewer, &format!("/posts/{id}"), json!({"text": "Viewer was here"})).await, StatusCode::FORBIDDEN, "forbidden");
        refused(w.post(&viewer, "/posts", json!({"text": "Viewer post", "channels": [x]})).await, StatusCode::FORBIDDEN, "forbidden");
        let current = w.read(id).await;
        assert_eq!(current["content"]["text"], "Hello again");
        assert_eq!(current["revision"], 5);
        assert_eq!(w.listed("").await, vec![id]);

        // Posts that do not exist.
        refused(w.get(&w.owner, "/posts/999999").await, StatusCode::NOT_FOUND, "not_found");
        refused(w.get(&w.owner, "/posts/abc").await, StatusCode::NOT_FOUND, "not_found");
        refused(w.patch(&w.owner, "/posts/999999", json!({"text": "x"})).await, StatusCode::NOT_FOUND, "not_found");
    };

    concurrent_edits_of_one_revision_let_exactly_one_through => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let id = id_of(&w.create(&editor, json!({"text": "v1", "channels": [x]})).await);
        let path = format!("/posts/{id}");
        for round in 1..=6_i64 {
            let (mine, theirs) = (format!("owner {round}"), format!("editor {round}"));
            let (a, b2) = tokio::join!(
                w.patch(&w.owner, &path, json!({"expected_revision": round, "text": mine})),
                w.patch(&editor, &path, json!({"expected_revision": round, "text": theirs})),
            );
            let statuses = [a.0, b2.0];
            assert!(
                statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
                "round {round}: one edit wins, the other is told it is stale: {a:?} {b2:?}"
            );
            let loser = if a.0 == StatusCode::CONFLICT { a.clone() } else { b2.clone() };
            refused(loser, StatusCode::CONFLICT, "conflict");
            let winner = if a.0 == StatusCode::OK { a.1 } else { b2.1 };
            let stored = w.read(id).await;
            assert_eq!(stored["revision"], round + 1);
            assert_eq!(stored["content"]["text"], winner["content"]["text"]);
        }
        assert_eq!(w.audit_actions(id).await.len(), 7, "one entry per accepted write");
    };

    invalid_posts_are_refused_with_the_field_and_change_nothing => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let m = w.channel("mastodon", "Masto", "UTC").await;
        let when = minute(w.now() + Duration::days(1));
        let base = || json!({"text": "Valid text", "channels": [x], "schedule": at(when)});
        let with = |key: &str, value: Value| {
            let mut body = base();
            body[key] = value;
            body
        };

        invalid(w.post(&w.owner, "/posts", with("channels", json!([999_999]))).await, "channels");
        invalid(w.post(&w.owner, "/posts", with("channels", json!([x, x]))).await, "channels");
        let mut unscheduled = with("channels", json!([424_242]));
        unscheduled.as_object_mut().unwrap().remove("schedule");
        invalid(w.post(&w.owner, "/posts", unscheduled).await, "channels");
        invalid(w.post(&w.owner, "/posts", with("campaign", json!("c".repeat(65)))).await, "campaign");
        invalid(w.post(&w.owner, "/posts", with("media", json!([{"id": 424_242}]))).await, "media");
        invalid(w.post(&w.owner, "/posts", with("variants", json!([{"channel_id": m, "text": "not a target"}]))).await, "variants");
        invalid(w.post(&w.owner, "/posts", with("text", json!("a".repeat(100_001)))).await, "text");
        invalid(w.post(&w.owner, "/posts", with("schedule", json!({"mode": "at", "local": "2031-01-01T09:00:00", "zone": "Mars/Olympus_Mons"}))).await, "schedule");
        invalid(w.post(&w.owner, "/posts", with("schedule", at(w.now() - Duration::hours(1)))).await, "schedule");
        invalid(w.post(&w.owner, "/posts", with("schedule", json!({"mode": "next_free_slot"}))).await, "schedule");
        refused(w.post(&w.owner, "/posts", with("schedule", json!({"mode": "someday"}))).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.post(&w.owner, "/posts", with("schedule", json!({"mode": "at", "local": "tomorrow", "zone": "UTC"}))).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.post(&w.owner, "/posts", json!({"text": "No channels field"})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.post(&w.owner, "/posts", with("text", json!(42))).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.raw(&w.owner, Method::POST, "/posts", "{not json").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert!(w.listed("").await.is_empty(), "no refused post was stored");

        // The same checks on a change; the post stays as it was.
        let post = w.create(&w.owner, base()).await;
        let id = id_of(&post);
        let path = format!("/posts/{id}");
        invalid(w.patch(&w.owner, &path, json!({"channels": [999_999]})).await, "channels");
        invalid(w.patch(&w.owner, &path, json!({"variants": [{"channel_id": m, "text": "not a target"}]})).await, "variants");
        invalid(w.patch(&w.owner, &path, json!({"media": [{"id": 424_242}]})).await, "media");
        invalid(w.patch(&w.owner, &path, json!({"schedule": at(w.now() - Duration::minutes(5))})).await, "schedule");
        invalid(w.patch(&w.owner, &path, json!({"campaign": "c".repeat(65)})).await, "campaign");
        refused(w.patch(&w.owner, &path, json!({"text": ["not", "text"]})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.raw(&w.owner, Method::PATCH, &path, "nope").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(w.read(id).await, post, "refused changes left the post untouched");
        assert_eq!(w.audit_actions(id).await, vec!["post.create"]);
        assert_eq!(w.listed("").await, vec![id]);
    };

    the_review_flow_schedules_an_approved_post_and_tells_the_people_involved => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let viewer = w.member("v@example.com", Role::Viewer).await;
        let editor_id = w.user_id(&editor).await;
        let approver_id = w.user_id(&approver).await;
        let when = minute(w.now() + Duration::days(1));

        let post = w.create(&editor, json!({"text": "Launch day!", "channels": [x], "schedule": at(when)})).await;
        let id = id_of(&post);
        assert!(w.notices(&approver).await.is_empty(), "drafts are nobody's business yet");

        // Submit: into review, reviewers told.
        let submitted = ok(w.act(&editor, id, "submit").await, StatusCode::OK);
        assert_eq!(submitted["state"], "in_review");
        assert!(!actions(&submitted).contains(&"approve".to_owned()));
        let n = w.notifications(&approver).await;
        assert_eq!(n["unread"], 1);
        assert_eq!(n["items"][0]["kind"], "review_needed");
        assert_eq!(n["items"][0]["post_id"], id);
        assert_eq!(n["items"][0]["workspace_id"], w.ws);
        assert_eq!(n["items"][0]["actor"]["id"], editor_id);
        assert_eq!(n["items"][0]["excerpt"], "Launch day!");
        assert_eq!(n["items"][0]["read"], false);
        assert_eq!(w.notices(&w.owner).await, vec![("review_needed".to_owned(), id)], "owners review too");
        assert!(w.notices(&editor).await.is_empty(), "nobody is told what they did themselves");
        assert!(w.notices(&viewer).await.is_empty(), "viewers do not review");
        let as_approver = ok(w.get(&approver, &format!("/posts/{id}")).await, StatusCode::OK);
        assert!(actions(&as_approver).contains(&"approve".to_owned()));
        assert!(actions(&as_approver).contains(&"reject".to_owned()));

        // Wrong roles: editors and viewers cannot review, viewers cannot act.
        refused(w.act(&editor, id, "approve").await, StatusCode::FORBIDDEN, "forbidden");
        refused(w.act(&viewer, id, "approve").await, StatusCode::FORBIDDEN, "forbidden");
        refused(w.post(&editor, &format!("/posts/{id}/reject"), json!({"comment": "no"})).await, StatusCode::FORBIDDEN, "forbidden");
        refused(w.post(&viewer, &format!("/posts/{id}/reject"), json!({"comment": "no"})).await, StatusCode::FORBIDDEN, "forbidden");
        refused(w.act(&viewer, id, "withdraw").await, StatusCode::FORBIDDEN, "forbidden");
        let still = w.read(id).await;
        assert_eq!(still["state"], "in_review");
        assert_eq!(still["approvals"], json!([]));
        assert_eq!(w.audit_actions(id).await, vec!["post.create", "post.submit"]);

        // Approve (with a comment): scheduled, author told.
        let approved = ok(w.post(&approver, &format!("/posts/{id}/approve"), json!({"comment": "Ship it"})).await, StatusCode::OK);
        assert_eq!(approved["state"], "scheduled");
        assert_eq!(approved["approvals"].as_array().unwrap().len(), 1);
        assert_eq!(approved["approvals"][0]["user"]["id"], approver_id);
        assert_eq!(approved["approvals"][0]["revision"], approved["revision"]);
        assert_eq!(due(&approved, 0), Some(when));
        let n = w.notifications(&editor).await;
        assert_eq!(n["unread"], 1);
        assert_eq!(n["items"][0]["kind"], "approved");
        assert_eq!(n["items"][0]["post_id"], id);
        assert_eq!(n["items"][0]["actor"]["id"], approver_id);
        let comments = w.comments(id).await;
        assert_eq!(comments.as_array().unwrap().len(), 1);
        assert_eq!(comments[0]["kind"], "approval");
        assert_eq!(comments[0]["body"], "Ship it");
        assert_eq!(comments[0]["author"]["id"], approver_id);
        // Once is enough.
        refused(w.act(&approver, id, "approve").await, StatusCode::CONFLICT, "conflict");
        refused(w.act(&w.owner, id, "submit").await, StatusCode::CONFLICT, "conflict");
        assert_eq!(w.read(id).await["approvals"].as_array().unwrap().len(), 1);

        // The scheduled post shows up as such.
        assert_eq!(w.listed("?state=scheduled").await, vec![id]);

        // Marking notifications read: someone else's ids do nothing, no body
        // marks all of one's own.
        let owners = w.notifications(&w.owner).await;
        let owners_id = owners["items"][0]["id"].as_i64().unwrap();
        assert_eq!(ok(w.post(&editor, "/notifications/read", json!({"ids": [owners_id]})).await, StatusCode::NO_CONTENT), Value::Null);
        assert_eq!(w.notifications(&w.owner).await["unread"], 1);
        assert_eq!(w.notifications(&editor).await["unread"], 1);
        ok(w.post_empty(&editor, "/notifications/read").await, StatusCode::NO_CONTENT);
        let n = w.notifications(&editor).await;
        assert_eq!(n["unread"], 0);
        assert_eq!(n["items"][0]["read"], true);
        ok(w.post(&w.owner, "/notifications/read", json!({"ids": [owners_id]})).await, StatusCode::NO_CONTENT);
        assert_eq!(w.notifications(&w.owner).await["unread"], 0);
        refused(w.raw(&w.owner, Method::POST, "/notifications/read", "{\"ids\": \"all\"}").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(w.notifications(&approver).await["unread"], 1, "others' notifications are untouched");
    };

    nobody_approves_their_own_post => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let when = minute(w.now() + Duration::days(1));

        let post = w.create(&approver, json!({"text": "Mine", "channels": [x], "schedule": at(when)})).await;
        let id = id_of(&post);
        ok(w.act(&approver, id, "submit").await, StatusCode::OK);
        let r = refused(w.act(&approver, id, "approve").await, StatusCode::CONFLICT, "conflict");
        assert!(r["error"]["message"].as_str().unwrap().contains("someone else"), "{r}");
        let still = w.read(id).await;
        assert_eq!(still["state"], "in_review");
        assert_eq!(still["approvals"], json!([]));
        // The author's own review buttons are not offered either.
        let own = ok(w.get(&approver, &format!("/posts/{id}")).await, StatusCode::OK);
        assert!(!actions(&own).contains(&"approve".to_owned()));
        // Owners are no exception.
        let owners = w.create(&w.owner, json!({"text": "The owner's", "channels": [x], "schedule": at(when)})).await;
        ok(w.act(&w.owner, id_of(&owners), "submit").await, StatusCode::OK);
        refused(w.act(&w.owner, id_of(&owners), "approve").await, StatusCode::CONFLICT, "conflict");
        // Someone else may.
        assert_eq!(ok(w.act(&w.owner, id, "approve").await, StatusCode::OK)["state"], "scheduled");
        assert_eq!(ok(w.act(&approver, id_of(&owners), "approve").await, StatusCode::OK)["state"], "scheduled");
    };

    editing_an_approved_post_sends_it_back_to_review => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let approver_id = w.user_id(&approver).await;
        let when = minute(w.now() + Duration::days(1));

        let id = id_of(&w.create(&editor, json!({"text": "Big news", "channels": [x], "schedule": at(when)})).await);
        ok(w.act(&editor, id, "submit").await, StatusCode::OK);
        let approved = ok(w.act(&approver, id, "approve").await, StatusCode::OK);
        assert_eq!(approved["state"], "scheduled");
        assert_eq!(approved["approvals"].as_array().unwrap().len(), 1);
        let revision = approved["revision"].as_i64().unwrap();
        assert_eq!(w.notifications(&approver).await["unread"], 1);

        // New content voids the approval.
        let edited = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"expected_revision": revision, "text": "Big news, now without typos"})).await, StatusCode::OK);
        assert_eq!(edited["state"], "in_review");
        assert_eq!(edited["approvals"], json!([]));
        assert_eq!(edited["revision"], revision + 1);
        assert_eq!(w.read(id).await["approvals"], json!([]), "stored, not just answered");
        // The reviewer who approved is asked again.
        let n = w.notifications(&approver).await;
        assert_eq!(n["unread"], 2);
        assert_eq!(n["items"][0]["kind"], "review_needed");
        assert_eq!(n["items"][0]["post_id"], id);

        // Approving the new revision schedules it again.
        let again = ok(w.act(&approver, id, "approve").await, StatusCode::OK);
        assert_eq!(again["state"], "scheduled");
        assert_eq!(again["approvals"][0]["user"]["id"], approver_id);
        assert_eq!(again["approvals"][0]["revision"], revision + 1);

        // Moving it to another time needs approval too (the default policy).
        let later = when + Duration::hours(3);
        let moved = ok(w.patch(&editor, &format!("/posts/{id}"), json!({"schedule": at(later)})).await, StatusCode::OK);
        assert_eq!(moved["state"], "in_review");
        assert_eq!(moved["approvals"], json!([]));
        assert_eq!(due(&moved, 0), Some(later));

        // An edit on a revision someone else replaced is refused.
        refused(w.patch(&approver, &format!("/posts/{id}"), json!({"expected_revision": revision, "text": "Old view"})).await, StatusCode::CONFLICT, "conflict");
        assert_eq!(w.read(id).await["content"]["text"], "Big news, now without typos");

        assert_eq!(
            w.audit_actions(id).await,
            vec!["post.create", "post.submit", "post.approve", "post.edit", "post.approve", "post.reschedule"]
        );
    };

    rejecting_needs_a_comment_and_requests_changes => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let approver_id = w.user_id(&approver).await;
        let when = minute(w.now() + Duration::days(1));
        let id = id_of(&w.create(&editor, json!({"text": "Draft copy", "channels": [x], "schedule": at(when)})).await);
        ok(w.act(&editor, id, "submit").await, StatusCode::OK);
        let path = format!("/posts/{id}/reject");

        refused(w.post_empty(&approver, &path).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        invalid(w.post(&approver, &path, json!({})).await, "comment");
        invalid(w.post(&approver, &path, json!({"comment": "   "})).await, "comment");
        invalid(w.post(&approver, &path, json!({"comment": "x".repeat(4_001)})).await, "comment");
        refused(w.post(&editor, &path, json!({"comment": "I disagree with myself"})).await, StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(w.state(id).await, "in_review");
        assert_eq!(w.comments(id).await, json!([]));
        assert!(w.notices(&editor).await.is_empty());

        let rejected = ok(w.post(&approver, &path, json!({"comment": "  Please add the link  "})).await, StatusCode::OK);
        assert_eq!(rejected["state"], "changes_requested");
        assert_eq!(rejected["approvals"], json!([]));
        let comments = w.comments(id).await;
        assert_eq!(comments.as_array().unwrap().len(), 1);
        assert_eq!(comments[0]["kind"], "changes_requested");
        assert_eq!(comments[0]["body"], "Please add the link");
        assert_eq!(comments[0]["author"]["id"], approver_id);
        assert_eq!(w.notices(&editor).await, vec![("changes_requested".to_owned(), id)]);

        // It must be resubmitted before anyone approves it.
        refused(w.act(&approver, id, "approve").await, StatusCode::CONFLICT, "conflict");
        ok(w.patch(&editor, &format!("/posts/{id}"), json!({"text": "Draft copy https://example.com"})).await, StatusCode::OK);
        assert_eq!(w.state(id).await, "changes_requested", "editing keeps the request visible");
        assert_eq!(ok(w.act(&editor, id, "submit").await, StatusCode::OK)["state"], "in_review");
        assert_eq!(ok(w.act(&approver, id, "approve").await, StatusCode::OK)["state"], "scheduled");
        // A reviewer may still stop an approved post.
        assert_eq!(ok(w.post(&approver, &path, json!({"comment": "Hold on"})).await, StatusCode::OK)["state"], "changes_requested");
    };

    withdraw_and_cancel_follow_the_workflow => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let viewer = w.member("v@example.com", Role::Viewer).await;
        let when = minute(w.now() + Duration::days(1));
        let id = id_of(&w.create(&editor, json!({"text": "Maybe", "channels": [x], "schedule": at(when)})).await);

        refused(w.act(&editor, id, "withdraw").await, StatusCode::CONFLICT, "conflict");
        ok(w.act(&editor, id, "submit").await, StatusCode::OK);
        let withdrawn = ok(w.act(&editor, id, "withdraw").await, StatusCode::OK);
        assert_eq!(withdrawn["state"], "draft");

        refused(w.act(&viewer, id, "cancel").await, StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(w.state(id).await, "draft");
        let cancelled = ok(w.act(&editor, id, "cancel").await, StatusCode::OK);
        assert_eq!(cancelled["state"], "cancelled");
        assert_eq!(cancelled["allowed_actions"], json!([]));
        // Cancelled is final.
        refused(w.act(&editor, id, "cancel").await, StatusCode::CONFLICT, "conflict");
        refused(w.act(&editor, id, "submit").await, StatusCode::CONFLICT, "conflict");
        refused(w.act(&editor, id, "withdraw").await, StatusCode::CONFLICT, "conflict");
        refused(w.patch(&editor, &format!("/posts/{id}"), json!({"text": "Revived"})).await, StatusCode::CONFLICT, "conflict");
        let after = w.read(id).await;
        assert_eq!(after["state"], "cancelled");
        assert_eq!(after["content"]["text"], "Maybe");

        // A scheduled post can be cancelled too, until it is published.
        let approver = w.member("a@example.com", Role::Approver).await;
        let other = id_of(&w.create(&editor, json!({"text": "Scheduled then cancelled", "channels": [x], "schedule": at(when)})).await);
        ok(w.act(&editor, other, "submit").await, StatusCode::OK);
        ok(w.act(&approver, other, "approve").await, StatusCode::OK);
        let cancelled = ok(w.act(&editor, other, "cancel").await, StatusCode::OK);
        assert_eq!(cancelled["state"], "cancelled");
        assert_eq!(cancelled["approvals"].as_array().unwrap().len(), 1, "who signed off stays on record");

        // The audit trail has every change and no refusal.
        let trail = w.audit(&viewer, id).await;
        let seen: Vec<&str> = trail.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(seen, vec!["post.create", "post.submit", "post.withdraw", "post.cancel"]);
        assert!(trail.iter().all(|e| e["subject"] == format!("post:{id}")));
        assert!(trail.iter().all(|e| e["actor"]["name"] == "e"));
        assert_eq!(trail[1]["detail"]["from"], "draft");
        assert_eq!(trail[1]["detail"]["to"], "in_review");
        assert_eq!(trail[2]["detail"]["to"], "draft");
        assert_eq!(trail[3]["detail"]["to"], "cancelled");
    };

    the_audit_trail_records_every_revision_in_order => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let editor_id = w.user_id(&editor).await;
        let approver_id = w.user_id(&approver).await;
        let when = minute(w.now() + Duration::days(1));
        let id = id_of(&w.create(&editor, json!({"text": "v1", "channels": [x], "schedule": at(when)})).await);
        w.app.clock.advance(Duration::minutes(1));
        ok(w.patch(&editor, &format!("/posts/{id}"), json!({"expected_revision": 1, "text": "v2"})).await, StatusCode::OK);
        w.app.clock.advance(Duration::minutes(1));
        ok(w.patch(&approver, &format!("/posts/{id}"), json!({"expected_revision": 2, "text": "v3"})).await, StatusCode::OK);
        ok(w.act(&editor, id, "submit").await, StatusCode::OK);
        ok(w.act(&approver, id, "approve").await, StatusCode::OK);
        ok(w.post(&editor, &format!("/posts/{id}/comments"), json!({"body": "Thanks!"})).await, StatusCode::CREATED);

        let trail = w.audit(&w.owner, id).await;
        let entries: Vec<(&str, i64)> = trail.iter().map(|e| (e["action"].as_str().unwrap(), e["actor"]["id"].as_i64().unwrap())).collect();
        assert_eq!(
            entries,
            vec![
                ("post.create", editor_id),
                ("post.edit", editor_id),
                ("post.edit", approver_id),
                ("post.submit", editor_id),
                ("post.approve", approver_id),
                ("post.comment", editor_id),
            ]
        );
        assert_eq!(trail[1]["detail"]["revision"], 2);
        assert_eq!(trail[2]["detail"]["revision"], 3);
        assert_eq!(trail[4]["detail"]["to"], "scheduled");
        let ids_in_order: Vec<i64> = trail.iter().map(id_of).collect();
        assert!(ids_in_order.windows(2).all(|p| p[0] < p[1]), "oldest first");
        let times: Vec<DateTime<Utc>> = trail.iter().map(|e| e["at"].as_str().unwrap().parse().unwrap()).collect();
        assert!(times[1] > times[0] && times[2] > times[1], "times come from the clock");
        assert_eq!(w.read(id).await["revision"], 3);
        // Every member may read it; a post that is not there has none.
        let viewer = w.member("v@example.com", Role::Viewer).await;
        assert_eq!(w.audit(&viewer, id).await.len(), 6);
        refused(w.get(&w.owner, "/posts/999999/audit").await, StatusCode::NOT_FOUND, "not_found");
    };

    comments_are_listed_added_and_notified => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let viewer = w.member("v@example.com", Role::Viewer).await;
        let id = id_of(&w.create(&editor, json!({"text": "Discuss me", "channels": [x]})).await);
        assert_eq!(w.comments(id).await, json!([]));

        let list = ok(w.post(&w.owner, &format!("/posts/{id}/comments"), json!({"body": "  Looks good  "})).await, StatusCode::CREATED);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["body"], "Looks good");
        assert_eq!(list[0]["kind"], "comment");
        assert_eq!(list[0]["revision"], 1);
        assert_eq!(list[0]["author"]["name"], "Owner");
        assert_eq!(w.notices(&editor).await, vec![("comment".to_owned(), id)], "the author hears about it");
        // The author answers; the owner, who took part, hears about it.
        ok(w.post(&editor, &format!("/posts/{id}/comments"), json!({"body": "Thanks"})).await, StatusCode::CREATED);
        assert_eq!(w.notices(&w.owner).await, vec![("comment".to_owned(), id)]);
        let read_by_viewer = ok(w.get(&viewer, &format!("/posts/{id}/comments")).await, StatusCode::OK);
        let bodies: Vec<&str> = read_by_viewer.as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
        assert_eq!(bodies, vec!["Looks good", "Thanks"]);

        // Refusals change nothing.
        refused(w.post(&viewer, &format!("/posts/{id}/comments"), json!({"body": "Me too"})).await, StatusCode::FORBIDDEN, "forbidden");
        invalid(w.post(&editor, &format!("/posts/{id}/comments"), json!({"body": "   "})).await, "body");
        invalid(w.post(&editor, &format!("/posts/{id}/comments"), json!({"body": "x".repeat(4_001)})).await, "body");
        refused(w.post(&editor, &format!("/posts/{id}/comments"), json!({"text": "wrong field"})).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.post(&editor, "/posts/999999/comments", json!({"body": "lost"})).await, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(w.comments(id).await.as_array().unwrap().len(), 2);
        assert_eq!(w.notices(&editor).await.len(), 1);
    };

    x_text_over_280_is_refused_at_submit_unless_a_variant_or_a_thread_fixes_it => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "Acme on X", "UTC").await;
        let m = w.channel("mastodon", "Fediverse", "UTC").await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let long = "word ".repeat(60).trim_end().to_owned();
        assert!(long.chars().count() > 280 && long.chars().count() < 500);
        let when = minute(w.now() + Duration::days(1));

        // Drafts may be too long; submitting is where the rules apply.
        let id = id_of(&w.create(&w.owner, json!({"text": long, "channels": [x, m], "schedule": at(when)})).await);
        let r = invalid(w.act(&w.owner, id, "submit").await, "content");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(message.contains("Acme on X") && message.contains("too_long"), "{message}");
        assert!(!message.contains("Fediverse"), "Mastodon takes 500 characters: {message}");
        assert_eq!(w.state(id).await, "draft");
        assert!(w.notices(&approver).await.is_empty());

        // A variant for another channel does not help X.
        ok(w.patch(&w.owner, &format!("/posts/{id}"), json!({"variants": [{"channel_id": m, "text": "Short for Mastodon"}]})).await, StatusCode::OK);
        invalid(w.act(&w.owner, id, "submit").await, "content");
        assert_eq!(w.state(id).await, "draft");

        // A variant for the X channel does.
        let fixed = ok(w.patch(&w.owner, &format!("/posts/{id}"), json!({"variants": [{"channel_id": x, "text": "Short for X"}]})).await, StatusCode::OK);
        assert_eq!(fixed["content"]["variants"][0]["channel_id"], x);
        assert_eq!(fixed["content"]["text"], long, "the master text is kept for the others");
        assert_eq!(ok(w.act(&w.owner, id, "submit").await, StatusCode::OK)["state"], "in_review");

        // So does allowing a thread.
        let threaded = id_of(&w.create(&w.owner, json!({"text": long, "channels": [x], "schedule": at(when), "allow_thread": true})).await);
        assert_eq!(ok(w.act(&w.owner, threaded, "submit").await, StatusCode::OK)["state"], "in_review");

        // Editing an approved post into something X refuses is refused too.
        ok(w.act(&approver, id, "approve").await, StatusCode::OK);
        invalid(w.patch(&w.owner, &format!("/posts/{id}"), json!({"variants": []})).await, "content");
        let kept = w.read(id).await;
        assert_eq!(kept["state"], "scheduled");
        assert_eq!(kept["content"]["variants"][0]["text"], "Short for X");
    };

    submitting_needs_channels_and_a_schedule => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let when = minute(w.now() + Duration::days(1));
        let no_channels = id_of(&w.create(&w.owner, json!({"text": "Where to?", "channels": [], "schedule": at(when)})).await);
        invalid(w.act(&w.owner, no_channels, "submit").await, "channels");
        let no_time = id_of(&w.create(&w.owner, json!({"text": "When?", "channels": [x]})).await);
        invalid(w.act(&w.owner, no_time, "submit").await, "schedule");
        let empty = id_of(&w.create(&w.owner, json!({"text": "", "channels": [x], "schedule": at(when)})).await);
        invalid(w.act(&w.owner, empty, "submit").await, "content");
        for id in [no_channels, no_time, empty] {
            assert_eq!(w.state(id).await, "draft");
            assert_eq!(w.audit_actions(id).await, vec!["post.create"]);
        }
        // Fixed, it goes.
        ok(w.patch(&w.owner, &format!("/posts/{no_time}"), json!({"schedule": at(when)})).await, StatusCode::OK);
        assert_eq!(ok(w.act(&w.owner, no_time, "submit").await, StatusCode::OK)["state"], "in_review");
    };

    a_policy_without_approvals_schedules_on_submit => |b| async move {
        use tongbu::domain::workflow::Policy;
        use tongbu::domain::{UserId, WorkspaceId};
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let owner_id = w.user_id(&w.owner).await;
        w.app
            .state
            .store
            .set_policy(WorkspaceId(w.ws), Policy { approvals_required: 0, ..Policy::default() }, UserId(owner_id), w.now())
            .await
            .unwrap();
        let when = minute(w.now() + Duration::days(1));
        let id = id_of(&w.create(&editor, json!({"text": "No review needed", "channels": [x], "schedule": at(when)})).await);
        let submitted = ok(w.act(&editor, id, "submit").await, StatusCode::OK);
        assert_eq!(submitted["state"], "scheduled");
        assert_eq!(submitted["approvals_required"], 0);
        assert_eq!(due(&submitted, 0), Some(when));
        assert!(w.notices(&w.owner).await.is_empty(), "no reviewers to ask");
        // "As soon as approved" is due the moment it is scheduled.
        let asap = id_of(&w.create(&editor, json!({"text": "Right away", "channels": [x], "schedule": {"mode": "when_approved"}})).await);
        assert_eq!(due(&w.read(asap).await, 0), None);
        let now = w.now();
        let scheduled = ok(w.act(&editor, asap, "submit").await, StatusCode::OK);
        assert_eq!(scheduled["state"], "scheduled");
        assert_eq!(due(&scheduled, 0).map(|t| t.timestamp()), Some(now.timestamp()));
    };

    nonexistent_and_ambiguous_local_times_need_a_choice => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let ny = w.channel("mastodon", "New York", "America/New_York").await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let gap = next_new_york_gap(w.now());
        assert!(NY.from_local_datetime(&gap).single().is_none(), "{gap} exists in New York");
        // 02:30 EST would be 07:30 UTC; the clocks show 03:00 EDT at 07:00 UTC.
        let later = Utc.from_utc_datetime(&(gap + Duration::hours(5)));
        let earlier = Utc.from_utc_datetime(&(gap + Duration::minutes(4 * 60 + 30)));

        let r = invalid(
            w.post(&w.owner, "/posts", json!({"text": "Spring forward", "channels": [x], "schedule": {"mode": "at", "local": local(gap), "zone": "America/New_York"}})).await,
            "schedule",
        );
        assert!(r["error"]["message"].as_str().unwrap().contains("nonexistent_local_time"), "{r}");
        invalid(
            w.post(&w.owner, "/posts", json!({"text": "Spring forward", "channels": [ny], "schedule": {"mode": "same_local_time_per_channel", "local": local(gap)}})).await,
            "schedule",
        );
        assert!(w.listed("").await.is_empty());

        let resolved = w.create(&w.owner, json!({"text": "Spring forward", "channels": [x], "schedule": {"mode": "at", "local": local(gap), "zone": "America/New_York", "dst": "later"}})).await;
        assert_eq!(due(&resolved, 0), Some(later));
        assert_eq!(resolved["schedule"]["dst"], "later");
        let first = w.create(&w.owner, json!({"text": "Spring forward early", "channels": [ny], "schedule": {"mode": "same_local_time_per_channel", "local": local(gap), "dst": "earlier"}})).await;
        assert_eq!(due(&first, 0), Some(earlier));
        // It stays resolved through review.
        ok(w.act(&w.owner, id_of(&resolved), "submit").await, StatusCode::OK);
        let approved = ok(w.act(&approver, id_of(&resolved), "approve").await, StatusCode::OK);
        assert_eq!(approved["state"], "scheduled");
        assert_eq!(due(&approved, 0), Some(later));

        // Moving a post into the gap without a choice is refused and changes nothing.
        let plain = w.create(&w.owner, json!({"text": "Plain", "channels": [x], "schedule": at(minute(w.now() + Duration::days(1)))})).await;
        invalid(w.patch(&w.owner, &format!("/posts/{}", id_of(&plain)), json!({"schedule": {"mode": "at", "local": local(gap), "zone": "America/New_York"}})).await, "schedule");
        assert_eq!(w.read(id_of(&plain)).await, plain);

        // The fall-back hour happens twice: also a choice.
        let fold = next_new_york_fold(w.now());
        let r = invalid(
            w.post(&w.owner, "/posts", json!({"text": "Fall back", "channels": [x], "schedule": {"mode": "at", "local": local(fold), "zone": "America/New_York"}})).await,
            "schedule",
        );
        assert!(r["error"]["message"].as_str().unwrap().contains("ambiguous_local_time"), "{r}");
        let second = w.create(&w.owner, json!({"text": "Fall back", "channels": [x], "schedule": {"mode": "at", "local": local(fold), "zone": "America/New_York", "dst": "later"}})).await;
        // 01:30 EST is 06:30 UTC.
        assert_eq!(due(&second, 0), Some(Utc.from_utc_datetime(&(fold + Duration::hours(5)))));
    };

    times_in_the_past_are_refused => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let editor = w.member("e@example.com", Role::Editor).await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let past = minute(w.now()) - Duration::minutes(1);

        let r = invalid(w.post(&editor, "/posts", json!({"text": "Too late", "channels": [x], "schedule": at(past)})).await, "schedule");
        assert!(r["error"]["message"].as_str().unwrap().contains("in_past"), "{r}");
        assert!(w.listed("").await.is_empty());

        // Times that pass while a post waits are refused when it moves on.
        let soon = minute(w.now()) + Duration::hours(1);
        let drafted = id_of(&w.create(&editor, json!({"text": "Drafted", "channels": [x], "schedule": at(soon)})).await);
        let reviewed = id_of(&w.create(&editor, json!({"text": "Reviewed", "channels": [x], "schedule": at(soon)})).await);
        ok(w.act(&editor, reviewed, "submit").await, StatusCode::OK);
        w.app.clock.advance(Duration::hours(2));

        invalid(w.act(&editor, drafted, "submit").await, "schedule");
        assert_eq!(w.state(drafted).await, "draft");
        invalid(w.act(&approver, reviewed, "approve").await, "schedule");
        let waiting = w.read(reviewed).await;
        assert_eq!(waiting["state"], "in_review");
        assert_eq!(waiting["approvals"], json!([]));
        assert!(w.notices(&editor).await.is_empty(), "no approval was announced");

        // A new time in the future lets both through.
        let tomorrow = minute(w.now() + Duration::days(1));
        ok(w.patch(&editor, &format!("/posts/{reviewed}"), json!({"schedule": at(tomorrow)})).await, StatusCode::OK);
        let approved = ok(w.act(&approver, reviewed, "approve").await, StatusCode::OK);
        assert_eq!(approved["state"], "scheduled");
        assert_eq!(due(&approved, 0), Some(tomorrow));
        ok(w.patch(&editor, &format!("/posts/{drafted}"), json!({"schedule": at(tomorrow)})).await, StatusCode::OK);
        assert_eq!(ok(w.act(&editor, drafted, "submit").await, StatusCode::OK)["state"], "in_review");
    };

    media_uploads_accept_images_sniffed_from_the_bytes_only => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let viewer = w.member("v@example.com", Role::Viewer).await;

        let png = ok(w.upload(&w.owner, w.ws, multipart("file", "pixel.png", "image/png", PNG)).await, StatusCode::CREATED);
        assert_eq!(png["kind"], "image");
        assert_eq!(png["content_type"], "image/png");
        assert_eq!(png["bytes"], PNG.len());
        let media_id = id_of(&png);
        assert_eq!(w.media_files(w.ws).len(), 1);

        // Served back to members, as stored, never sniffed by the browser.
        for c in [&w.owner, &viewer] {
            let r = c.get(w.app.url(&format!("/api/v1/workspaces/{}/media/{media_id}", w.ws))).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()["content-type"], "image/png");
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
        }

        // What the client claims does not count: SVG and text are refused.
        invalid(w.upload(&w.owner, w.ws, multipart("file", "pixel.png", "image/png", SVG)).await, "file");
        invalid(w.upload(&w.owner, w.ws, multipart("file", "logo.svg", "image/svg+xml", SVG)).await, "file");
        invalid(w.upload(&w.owner, w.ws, multipart("file", "notes.txt", "text/plain", b"just some text")).await, "file");
        invalid(w.upload(&w.owner, w.ws, multipart("file", "empty.png", "image/png", b"")).await, "file");
        invalid(w.upload(&w.owner, w.ws, multipart("attachment", "pixel.png", "image/png", PNG)).await, "file");
        refused(w.upload(&viewer, w.ws, multipart("file", "pixel.png", "image/png", PNG)).await, StatusCode::FORBIDDEN, "forbidden");
        // Nothing was stored: one file on disk, and the next upload gets the next id.
        assert_eq!(w.media_files(w.ws).len(), 1, "{:?}", w.media_files(w.ws));
        let again = ok(w.upload(&w.owner, w.ws, multipart("file", "same.png", "image/png", PNG)).await, StatusCode::CREATED);
        assert_eq!(id_of(&again), media_id + 1, "no refused upload left a row behind");
        assert_eq!(w.media_files(w.ws).len(), 1, "the same bytes are stored once");

        // Posts carry the stored facts, not the client's claims.
        let post = w.create(&w.owner, json!({"text": "With a pixel", "channels": [x], "media": [{"id": media_id, "alt": " A pixel ", "bytes": 1, "kind": "video"}]})).await;
        assert_eq!(post["content"]["media"][0]["id"], media_id);
        assert_eq!(post["content"]["media"][0]["kind"], "image");
        assert_eq!(post["content"]["media"][0]["bytes"], PNG.len());
        assert_eq!(post["content"]["media"][0]["alt"], "A pixel");

        refused(w.get(&w.owner, &format!("/workspaces/{}/media/999999", w.ws)).await, StatusCode::NOT_FOUND, "not_found");
        refused(w.get(&w.owner, &format!("/workspaces/{}/media/abc", w.ws)).await, StatusCode::NOT_FOUND, "not_found");
    };

    the_post_list_filters_by_state_time_channel_campaign_and_words => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let m = w.channel("mastodon", "Masto", "UTC").await;
        let approver = w.member("a@example.com", Role::Approver).await;
        let viewer = w.member("v@example.com", Role::Viewer).await;
        let now = minute(w.now());
        let day = |n: i64| now + Duration::days(n);

        let spring = id_of(&w.create(&w.owner, json!({"text": "Spring sale on umbrellas", "channels": [x], "campaign": "q2-promo"})).await);
        let summer = id_of(&w.create(&w.owner, json!({"text": "Summer launch party", "channels": [x], "schedule": at(day(1))})).await);
        ok(w.act(&w.owner, summer, "submit").await, StatusCode::OK);
        ok(w.act(&approver, summer, "approve").await, StatusCode::OK);
        let autumn = id_of(&w.create(&w.owner, json!({"text": "Autumn launch recap", "channels": [m], "schedule": at(day(3))})).await);
        ok(w.act(&w.owner, autumn, "submit").await, StatusCode::OK);
        let winter = id_of(&w.create(&w.owner, json!({"text": "Winter notes: 100% off_peak", "channels": [x, m], "schedule": at(day(5)), "campaign": "winter"})).await);

        // Soonest due first, unscheduled last.
        assert_eq!(w.listed("").await, vec![summer, autumn, winter, spring]);
        let all = ok(w.list(&viewer, "").await, StatusCode::OK);
        assert_eq!(ids(&all), vec![summer, autumn, winter, spring], "viewers see the list");
        assert_eq!(all[0]["state"], "scheduled");
        assert_eq!(all[0]["excerpt"], "Summer launch party");
        assert_eq!(all[2]["channels"].as_array().unwrap().len(), 2);
        assert_eq!(all[3]["campaign"], "q2-promo");

        // State.
        assert_eq!(set(&w.listed("?state=draft").await), set(&[spring, winter]));
        assert_eq!(w.listed("?state=in_review,scheduled").await, vec![summer, autumn]);
        assert_eq!(w.listed("?state=cancelled").await, Vec::<i64>::new());
        invalid(w.list(&w.owner, "?state=draft,bogus").await, "state");

        // Time range: due at or after `from`, before `to`.
        assert_eq!(w.listed(&format!("?from={}", rfc3339(day(2)))).await, vec![autumn, winter]);
        assert_eq!(w.listed(&format!("?to={}", rfc3339(day(2)))).await, vec![summer]);
        assert_eq!(w.listed(&format!("?from={}&to={}", rfc3339(day(2)), rfc3339(day(4)))).await, vec![autumn]);
        assert_eq!(w.listed(&format!("?from={}&to={}", rfc3339(day(1)), rfc3339(day(3)))).await, vec![summer], "`to` is exclusive");
        invalid(w.list(&w.owner, &format!("?from={}&to={}", rfc3339(day(4)), rfc3339(day(2)))).await, "to");
        // Query strings that do not parse get the same error shape.
        refused(w.list(&w.owner, "?from=next-tuesday").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        refused(w.list(&w.owner, "?channel=abc").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");

        // Words: all must appear, any case; % and _ are plain characters.
        assert_eq!(w.listed("?q=launch").await, vec![summer, autumn]);
        assert_eq!(w.listed("?q=LAUNCH%20summer").await, vec![summer]);
        assert_eq!(w.listed("?q=umbrellas").await, vec![spring]);
        assert_eq!(w.listed("?q=%25").await, vec![winter]);
        assert_eq!(w.listed("?q=_").await, vec![winter]);
        assert_eq!(w.listed("?q=launch%20nowhere").await, Vec::<i64>::new());
        assert_eq!(w.listed("?q=promo").await, vec![spring], "the campaign is searched too");

        // Channel and campaign, and combinations.
        assert_eq!(w.listed(&format!("?channel={m}")).await, vec![autumn, winter]);
        assert_eq!(w.listed("?campaign=q2-promo").await, vec![spring]);
        assert_eq!(w.listed("?campaign=promo").await, Vec::<i64>::new(), "campaigns match exactly");
        assert_eq!(w.listed("?state=draft&q=notes").await, vec![winter]);
        assert_eq!(w.listed(&format!("?state=in_review&channel={x}")).await, Vec::<i64>::new());
    };

    members_of_one_workspace_get_404_for_another_workspaces_posts_and_channels => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let mine = id_of(&w.create(&w.owner, json!({"text": "Acme post", "channels": [x]})).await);
        let stranger = w.app.member("s@example.com", "Beta", Role::Owner).await;
        let ws_b = ok(w.get(&stranger, "/me").await, StatusCode::OK)["workspaces"][0]["id"].as_i64().unwrap();
        assert_ne!(ws_b, w.ws);
        let their_channel = id_of(&ok(w.post(&stranger, "/channels", json!({"platform": "x", "name": "Beta X", "time_zone": "UTC"})).await, StatusCode::CREATED));
        let when = minute(w.now() + Duration::days(1));
        let theirs = id_of(&ok(w.post(&stranger, "/posts", json!({"text": "Beta secret", "channels": [their_channel], "schedule": at(when)})).await, StatusCode::CREATED));
        ok(w.act(&stranger, theirs, "submit").await, StatusCode::OK);
        let their_media = id_of(&ok(w.upload(&stranger, ws_b, multipart("file", "p.png", "image/png", PNG)).await, StatusCode::CREATED));
        let before = ok(w.get(&stranger, &format!("/posts/{theirs}")).await, StatusCode::OK);

        let post_body = json!({"text": "Planted", "channels": [their_channel]});
        let cases: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/posts/{theirs}"), None),
            (Method::PATCH, format!("/posts/{theirs}"), Some(json!({"text": "pwned"}))),
            (Method::POST, format!("/posts/{theirs}/submit"), None),
            (Method::POST, format!("/posts/{theirs}/approve"), Some(json!({"comment": "ok"}))),
            (Method::POST, format!("/posts/{theirs}/reject"), Some(json!({"comment": "no"}))),
            (Method::POST, format!("/posts/{theirs}/cancel"), None),
            (Method::POST, format!("/posts/{theirs}/withdraw"), None),
            (Method::GET, format!("/posts/{theirs}/comments"), None),
            (Method::POST, format!("/posts/{theirs}/comments"), Some(json!({"body": "hi"}))),
            (Method::GET, format!("/posts/{theirs}/audit"), None),
            (Method::GET, format!("/channels?workspace={ws_b}"), None),
            (Method::POST, format!("/channels?workspace={ws_b}"), Some(json!({"platform": "x", "name": "Planted", "time_zone": "UTC"}))),
            (Method::PATCH, format!("/channels/{their_channel}"), Some(json!({"name": "pwned"}))),
            (Method::PATCH, format!("/channels/{their_channel}?workspace={ws_b}"), Some(json!({"name": "pwned"}))),
            (Method::GET, format!("/posts?workspace={ws_b}"), None),
            (Method::POST, format!("/posts?workspace={ws_b}"), Some(post_body.clone())),
            (Method::POST, "/posts".to_owned(), Some(json!({"workspace_id": ws_b, "text": "Planted", "channels": [their_channel]}))),
            (Method::GET, format!("/workspaces/{ws_b}/media/{their_media}"), None),
            (Method::GET, format!("/workspaces/{}/media/{their_media}", w.ws), None),
        ];
        for (method, path, body) in cases {
            let r = send(&w.owner, &w.app, method.clone(), &format!("/api/v1{path}"), body).await;
            refused(r, StatusCode::NOT_FOUND, "not_found");
        }
        let r = w.owner.get(w.app.url("/api/v1/channels")).header("Tongbu-Workspace", ws_b.to_string()).send().await.unwrap();
        refused(read_answer(r).await, StatusCode::NOT_FOUND, "not_found");
        refused(w.upload(&w.owner, ws_b, multipart("file", "p.png", "image/png", PNG)).await, StatusCode::NOT_FOUND, "not_found");
        // Another workspace's channel is not a target here.
        invalid(w.post(&w.owner, "/posts", post_body).await, "channels");
        invalid(w.patch(&w.owner, &format!("/posts/{mine}"), json!({"channels": [x, their_channel]})).await, "channels");

        // Nothing leaked and nothing changed.
        assert_eq!(w.listed("").await, vec![mine]);
        assert_eq!(ids(&w.channels(&w.owner).await), vec![x]);
        assert!(w.notices(&w.owner).await.is_empty());
        assert_eq!(ok(w.get(&stranger, &format!("/posts/{theirs}")).await, StatusCode::OK), before);
        assert_eq!(ids(&w.channels(&stranger).await), vec![their_channel]);
        assert_eq!(w.channels(&stranger).await[0]["name"], "Beta X");
        assert_eq!(ids(&ok(w.list(&stranger, "").await, StatusCode::OK)), vec![theirs]);
        let trail: Vec<String> = ok(w.get(&stranger, &format!("/posts/{theirs}/audit")).await, StatusCode::OK)
            .as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(trail, vec!["post.create", "post.submit"]);
        assert_eq!(ok(w.get(&stranger, &format!("/posts/{theirs}/comments")).await, StatusCode::OK), json!([]));
        assert_eq!(w.media_files(w.ws).len(), 0);
        assert_eq!(w.media_files(ws_b).len(), 1);
    };

    several_workspaces_need_the_workspace_named => |b| async move {
        let w = World::new(b).await;
        let x = w.channel("x", "X", "UTC").await;
        let second = ok(w.post(&w.owner, "/workspaces", json!({"name": "Second"})).await, StatusCode::CREATED);
        let ws2 = id_of(&second);
        invalid(w.get(&w.owner, "/channels").await, "workspace");
        invalid(w.post(&w.owner, "/posts", json!({"text": "Where?", "channels": []})).await, "workspace");
        assert_eq!(ids(&ok(w.get(&w.owner, &format!("/channels?workspace={}", w.ws)).await, StatusCode::OK)), vec![x]);
        assert_eq!(ok(w.get(&w.owner, &format!("/channels?workspace={ws2}")).await, StatusCode::OK), json!([]));
        let r = w.owner.get(w.app.url("/api/v1/channels")).header("tongbu-workspace", ws2.to_string()).send().await.unwrap();
        assert_eq!(ok(read_answer(r).await, StatusCode::OK), json!([]));
        let r = w.owner.get(w.app.url("/api/v1/channels")).header("tongbu-workspace", "first").send().await.unwrap();
        refused(read_answer(r).await, StatusCode::NOT_FOUND, "not_found");
        // The body's workspace wins for posts.
        let post = w.create(&w.owner, json!({"workspace_id": w.ws, "text": "Here", "channels": [x]})).await;
        assert_eq!(post["workspace_id"], w.ws);
        assert_eq!(ids(&ok(w.get(&w.owner, &format!("/posts?workspace={}", w.ws)).await, StatusCode::OK)), vec![id_of(&post)]);
        assert_eq!(ok(w.get(&w.owner, &format!("/posts?workspace={ws2}")).await, StatusCode::OK), json!([]));
        // Routes of one post find its workspace themselves.
        assert_eq!(w.read(id_of(&post)).await["content"]["text"], "Here");

        // API tokens reach the same routes.
        let token = ok(w.post(&w.owner, "/tokens", json!({"name": "ci"})).await, StatusCode::CREATED)["token"].as_str().unwrap().to_owned();
        let r = reqwest::Client::new().get(w.app.url(&format!("/api/v1/posts/{}", id_of(&post)))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(ok(read_answer(r).await, StatusCode::OK)["content"]["text"], "Here");
    };
}

/// Every route of API v1 as (method, path), from `src/server/rest/mod.rs`.
const EXPECTED_ROUTES: &[(&str, &str)] = &[
    ("GET", "/posts/{id}/attempts"),
    ("POST", "/posts/{id}/channels/{channel}/resolve"),
    ("GET", "/channels/{id}/attempts"),
    ("GET", "/deliveries/health"),
    ("GET", "/reports/reach"),
    ("GET", "/reports/reach.csv"),
    ("GET", "/posts/{id}/metrics"),
    ("GET", "/me"),
    ("GET", "/tokens"),
    ("POST", "/tokens"),
    ("DELETE", "/tokens/{id}"),
    ("GET", "/workspaces"),
    ("POST", "/workspaces"),
    ("GET", "/workspaces/{ws}"),
    ("GET", "/workspaces/{ws}/members"),
    ("PATCH", "/workspaces/{ws}/members/{user}"),
    ("DELETE", "/workspaces/{ws}/members/{user}"),
    ("POST", "/workspaces/{ws}/members/{user}/reset-password"),
    ("GET", "/workspaces/{ws}/invitations"),
    ("POST", "/workspaces/{ws}/invitations"),
    ("DELETE", "/workspaces/{ws}/invitations/{id}"),
    ("GET", "/workspaces/{ws}/audit"),
    ("GET", "/channels"),
    ("POST", "/channels"),
    ("PATCH", "/channels/{id}"),
    ("POST", "/channels/{id}/check"),
    ("POST", "/channels/{id}/connect/wechat"),
    ("POST", "/channels/{id}/connect/bluesky"),
    ("PUT", "/channels/{id}/egress"),
    ("GET", "/posts"),
    ("POST", "/posts"),
    ("GET", "/posts/{id}"),
    ("PATCH", "/posts/{id}"),
    ("POST", "/posts/{id}/submit"),
    ("POST", "/posts/{id}/approve"),
    ("POST", "/posts/{id}/reject"),
    ("POST", "/posts/{id}/cancel"),
    ("POST", "/posts/{id}/withdraw"),
    ("GET", "/posts/{id}/comments"),
    ("POST", "/posts/{id}/comments"),
    ("GET", "/posts/{id}/audit"),
    ("POST", "/workspaces/{ws}/media"),
    ("GET", "/workspaces/{ws}/media/{id}"),
    ("GET", "/notifications"),
    ("POST", "/notifications/read"),
];

/// Every `$ref` in the document.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// utoipa writes OpenAPI 3.1, where a nullable value is a type list
/// (`"type": ["string", "null"]`); the `openapiv3` model is OpenAPI 3.0,
/// which says the same with `"type": "string", "nullable": true`. Rewrites
/// exactly that construct (and refuses any other type list), so the 3.0
/// model can check the rest of the document. Returns how many it rewrote.
fn nullable_types_as_openapi_30(v: &mut Value) -> usize {
    let mut rewritten = 0;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let named: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
                assert_eq!(
                    named.len(),
                    types.len(),
                    "type list of non-strings: {types:?}"
                );
                let non_null: Vec<&str> = named.iter().copied().filter(|t| *t != "null").collect();
                assert!(
                    non_null.len() == 1 && named.len() == 2,
                    "a type list other than [T, null] cannot be said in OpenAPI 3.0: {named:?}"
                );
                let single = non_null[0].to_owned();
                map.insert("type".into(), Value::String(single));
                map.insert("nullable".into(), Value::Bool(true));
                rewritten += 1;
            }
            for (_, child) in map.iter_mut() {
                rewritten += nullable_types_as_openapi_30(child);
            }
        }
        Value::Array(items) => {
            for child in items {
                rewritten += nullable_types_as_openapi_30(child);
            }
        }
        _ => {}
    }
    rewritten
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_validates_and_lists_every_route() {
    let app = TestApp::spawn(common::Backend::Sqlite).await;
    let bare = reqwest::Client::new();
    let r = bare
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let raw: Value = r.json().await.unwrap();

    // It is an OpenAPI 3 document that a standard model reads (after
    // spelling 3.1's nullable type lists the 3.0 way, see above).
    assert!(
        raw["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        raw["openapi"]
    );
    let mut as_30 = raw.clone();
    nullable_types_as_openapi_30(&mut as_30);
    let doc: openapiv3::OpenAPI = serde_json::from_value(as_30)
        .unwrap_or_else(|e| panic!("the document does not deserialize as OpenAPI: {e}"));
    assert!(doc.openapi.starts_with("3."), "{}", doc.openapi);
    assert_eq!(doc.info.title, "Tongbu API");
    assert_eq!(
        doc.servers
            .iter()
            .map(|s| s.url.as_str())
            .collect::<Vec<_>>(),
        vec!["/api/v1"]
    );
    let components = doc.components.as_ref().expect("components");
    assert!(components.security_schemes.contains_key("bearer"));

    // Every $ref points at a schema that exists.
    let mut all = Vec::new();
    refs(&raw, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("$ref outside the component schemas: {r}"));
        assert!(components.schemas.contains_key(name), "dangling $ref {r}");
    }
    for name in [
        "PostView",
        "PostSummary",
        "ChannelView",
        "CommentView",
        "AuditView",
        "MediaRef",
        "ErrorBody",
    ] {
        assert!(
            components.schemas.contains_key(name),
            "schema {name} is missing"
        );
    }

    // Exactly the routes of the API, no more and no fewer.
    let documented: BTreeSet<(String, String)> = doc
        .operations()
        .map(|(path, method, _)| (method.to_uppercase(), path.to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = EXPECTED_ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from the document: {missing:?}; not expected: {extra:?}"
    );
    for (path, method, op) in doc.operations() {
        assert!(
            !op.responses.responses.is_empty(),
            "{method} {path} documents no response"
        );
    }

    // The router serves every documented route with the documented method:
    // an anonymous call reaches the handler, which asks for credentials,
    // instead of the fallback's 404 or a 405.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "1")
            .replace("{ws}", "1")
            .replace("{user}", "1");
        let r = bare
            .request(
                method.parse().unwrap(),
                app.url(&format!("/api/v1{concrete}")),
            )
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
        assert_eq!(
            body["error"]["code"], "unauthenticated",
            "{method} {path}: {body}"
        );
    }
    // While a route that is not documented gets the fallback.
    let r = bare
        .get(app.url("/api/v1/not-a-route"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = bare
        .delete(app.url("/api/v1/posts/1"))
        .send()
        .await
        .unwrap();
    assert!(
        matches!(
            r.status(),
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ),
        "{}",
        r.status()
    );
}
