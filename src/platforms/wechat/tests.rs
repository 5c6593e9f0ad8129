//! The WeChat client against a wiremock server speaking WeChat's documented
//! shapes: request paths and bodies, token caching and replay, every error
//! class, the publish steps with resume, settle, reconcile and metrics.

use super::*;
use chrono::{TimeZone, Timelike};
use wiremock::matchers::{body_json, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP_ID: &str = "wx00000000000test1";
const SECRET: &str = "test-wechat-secret-1";
const RID: &str = "6650f1a2-1b2c3d4e";

fn client_with_timeout(base: &str, timeout: Duration) -> WechatClient {
    let mut endpoints = Endpoints::single_host(base);
    endpoints.timeout = timeout;
    let http = http::build(&endpoints).unwrap();
    let creds = MemoryCredentials::new(Credentials::Wechat {
        app_id: APP_ID.into(),
        app_secret: SECRET.into(),
    });
    WechatClient::new(http, endpoints, creds)
}

fn client(server: &MockServer) -> WechatClient {
    client_with_timeout(&server.uri(), Duration::from_secs(5))
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn wx_error(code: i64, msg: &str) -> ResponseTemplate {
    ok(json!({ "errcode": code, "errmsg": format!("{msg} rid: {RID}") }))
}

/// `stable_token` answering `token` to every request.
async fn token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(ok(json!({ "access_token": token, "expires_in": 7200 })))
        .mount(server)
        .await;
}

fn api(p: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST")).and(path(p))
}

fn request() -> PublishRequest {
    PublishRequest {
        delivery_key: "delivery-1".into(),
        text: "第一段\r\n第二行 <b>&\n\n  \n第二段 \"引号\" it's".into(),
        title: Some("同步测试标题".into()),
        digest: Some("摘要".into()),
        link: Some("https://example.com/a".into()),
        media: vec![MediaFile {
            content_type: "image/jpeg".into(),
            file_name: "cover.jpg".into(),
            alt: String::new(),
            bytes: Arc::new(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
        }],
        thread: false,
        resume: None,
    }
}

fn resumed(resume: Value) -> PublishRequest {
    PublishRequest {
        resume: Some(resume),
        ..request()
    }
}

#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<Value>>);

impl Recorder {
    fn recorded(&self) -> Vec<Value> {
        self.0.lock().unwrap().clone()
    }
}

#[async_trait]
impl Checkpoint for Recorder {
    async fn record(&self, progress: &Value) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(progress.clone());
        Ok(())
    }
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

fn submitted() -> Published {
    Published {
        remote_id: "2247000002".into(),
        url: None,
        extra: json!({
            "publish_id": "2247000001",
            "msg_data_id": "2247000002",
            "draft_media_id": "DRAFT1",
        }),
        pending: true,
    }
}

// -- publish -------------------------------------------------------------------

#[tokio::test]
async fn publish_sends_the_documented_requests_with_one_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_json(json!({
            "grant_type": "client_credential",
            "appid": APP_ID,
            "secret": SECRET,
            "force_refresh": false,
        })))
        .respond_with(ok(json!({ "access_token": "T1", "expires_in": 7200 })))
        .expect(1)
        .mount(&server)
        .await;
    api("/cgi-bin/material/add_material")
        .and(query_param("access_token", "T1"))
        .and(query_param("type", "image"))
        .respond_with(ok(
            json!({ "media_id": "THUMB1", "url": "http://mmbiz.qpic.cn/x" }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Success without errcode.
    api("/cgi-bin/draft/add")
        .and(query_param("access_token", "T1"))
        .respond_with(ok(json!({ "media_id": "DRAFT1" })))
        .expect(1)
        .mount(&server)
        .await;
    // Success with errcode 0, ids as a string and as a number.
    api("/cgi-bin/freepublish/submit")
        .and(query_param("access_token", "T1"))
        .and(body_json(json!({ "media_id": "DRAFT1" })))
        .respond_with(ok(json!({
            "errcode": 0, "errmsg": "ok", "publish_id": "2247000001", "msg_data_id": 2247000002u64
        })))
        .expect(1)
        .mount(&server)
        .await;

    let checkpoint = Recorder::default();
    let published = client(&server)
        .publish(&request(), &checkpoint)
        .await
        .unwrap();
    assert_eq!(published, submitted());
    assert_eq!(
        checkpoint.recorded(),
        vec![
            json!({ "thumb_media_id": "THUMB1" }),
            json!({ "thumb_media_id": "THUMB1", "draft_media_id": "DRAFT1" }),
        ]
    );

    let upload = &requests_to(&server, "/cgi-bin/material/add_material").await[0];
    let ct = upload
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8_lossy(&upload.body);
    assert!(
        body.contains("name=\"media\"; filename=\"cover.jpg\""),
        "{body}"
    );
    assert!(body.contains("Content-Type: image/jpeg"), "{body}");
    let needle = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
    assert!(upload.body.windows(needle.len()).any(|w| w == needle));

    let draft = &requests_to(&server, "/cgi-bin/draft/add").await[0];
    let raw = std::str::from_utf8(&draft.body).unwrap();
    assert!(
        raw.contains("同步测试标题"),
        "Chinese must be sent as raw UTF-8: {raw}"
    );
    assert!(!raw.contains("\\u"), "no \\u escapes: {raw}");
    let sent: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(
        sent,
        json!({ "articles": [{
            "article_type": "news",
            "title": "同步测试标题",
            "author": "",
            "digest": "摘要",
            "content": "<p>第一段<br/>第二行 &lt;b&gt;&amp;</p><p>第二段 &quot;引号&quot; it&#39;s</p>",
            "content_source_url": "https://example.com/a",
            "thumb_media_id": "THUMB1",
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
        }]})
    );
}

#[tokio::test]
async fn publish_without_a_cover_or_title_sends_nothing() {
    let server = MockServer::start().await;
    let c = client(&server);
    let no_cover = PublishRequest {
        media: vec![MediaFile {
            content_type: "video/mp4".into(),
            ..request().media[0].clone()
        }],
        ..request()
    };
    let err = c.publish(&no_cover, &NoCheckpoint).await.unwrap_err();
    assert_eq!(
        err,
        PlatformError::permanent("a WeChat article needs a cover image")
    );
    let no_title = PublishRequest {
        title: Some("  ".into()),
        ..request()
    };
    let err = c.publish(&no_title, &NoCheckpoint).await.unwrap_err();
    assert_eq!(
        err,
        PlatformError::permanent("a WeChat article needs a title")
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn resume_with_a_cover_skips_the_upload() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/material/add_material")
        .respond_with(ok(json!({ "media_id": "OTHER" })))
        .expect(0)
        .mount(&server)
        .await;
    api("/cgi-bin/draft/add")
        .and(body_partial_json(
            json!({ "articles": [{ "thumb_media_id": "THUMB0" }] }),
        ))
        .respond_with(ok(json!({ "media_id": "DRAFT1" })))
        .expect(1)
        .mount(&server)
        .await;
    api("/cgi-bin/freepublish/submit")
        .and(body_json(json!({ "media_id": "DRAFT1" })))
        .respond_with(ok(
            json!({ "errcode": 0, "errmsg": "ok", "publish_id": "P", "msg_data_id": "M" }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let checkpoint = Recorder::default();
    let req = resumed(json!({ "thumb_media_id": "THUMB0", "kept": 1 }));
    let published = client(&server).publish(&req, &checkpoint).await.unwrap();
    assert_eq!(published.remote_id, "M");
    assert_eq!(
        checkpoint.recorded(),
        vec![json!({ "thumb_media_id": "THUMB0", "draft_media_id": "DRAFT1", "kept": 1 })]
    );
}

#[tokio::test]
async fn resume_with_a_draft_only_submits() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    for p in ["/cgi-bin/material/add_material", "/cgi-bin/draft/add"] {
        api(p)
            .respond_with(ok(json!({ "media_id": "OTHER" })))
            .expect(0)
            .mount(&server)
            .await;
    }
    api("/cgi-bin/freepublish/submit")
        .and(body_json(json!({ "media_id": "DRAFT0" })))
        .respond_with(ok(
            json!({ "errcode": 0, "errmsg": "ok", "publish_id": 77, "msg_data_id": 78 }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let checkpoint = Recorder::default();
    let req = resumed(json!({ "thumb_media_id": "THUMB0", "draft_media_id": "DRAFT0" }));
    let published = client(&server).publish(&req, &checkpoint).await.unwrap();
    assert_eq!(published.remote_id, "78");
    assert_eq!(published.extra["publish_id"], "77");
    assert_eq!(published.extra["draft_media_id"], "DRAFT0");
    assert!(checkpoint.recorded().is_empty());
}

// -- tokens ----------------------------------------------------------------------

#[tokio::test]
async fn token_is_cached_across_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(ok(json!({ "access_token": "T1", "expires_in": 7200 })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .and(query_param("access_token", "T1"))
        .respond_with(ok(json!({ "ip_list": ["101.226.103.0/25"] })))
        .expect(3)
        .mount(&server)
        .await;
    let c = client(&server);
    for _ in 0..3 {
        let account = c.account().await.unwrap();
        assert_eq!(
            account,
            AccountInfo {
                id: APP_ID.into(),
                name: APP_ID.into()
            }
        );
    }
}

#[tokio::test]
async fn concurrent_calls_share_one_token_fetch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(
            ok(json!({ "access_token": "T1", "expires_in": 7200 }))
                .set_delay(Duration::from_millis(100)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .and(query_param("access_token", "T1"))
        .respond_with(ok(json!({ "ip_list": [] })))
        .expect(8)
        .mount(&server)
        .await;
    let c = Arc::new(client(&server));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let c = c.clone();
        set.spawn(async move { c.account().await });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap().unwrap();
    }
}

#[tokio::test]
async fn expired_token_is_refreshed_and_the_call_replayed_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(ok(json!({ "access_token": "T1", "expires_in": 7200 })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    token(&server, "T2").await;
    api("/cgi-bin/freepublish/submit")
        .and(query_param("access_token", "T1"))
        .respond_with(wx_error(42001, "access_token expired"))
        .expect(1)
        .mount(&server)
        .await;
    api("/cgi-bin/freepublish/submit")
        .and(query_param("access_token", "T2"))
        .respond_with(ok(
            json!({ "errcode": 0, "errmsg": "ok", "publish_id": "P", "msg_data_id": "M" }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let req = resumed(json!({ "draft_media_id": "DRAFT0" }));
    let published = client(&server).publish(&req, &NoCheckpoint).await.unwrap();
    assert_eq!(published.remote_id, "M");
    let fetches = requests_to(&server, "/cgi-bin/stable_token").await;
    assert_eq!(fetches.len(), 2);
    for f in fetches {
        let body: Value = serde_json::from_slice(&f.body).unwrap();
        assert_eq!(body["force_refresh"], false, "a new token needs no force");
    }
}

#[tokio::test]
async fn a_rejected_token_handed_back_again_is_force_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_partial_json(json!({ "force_refresh": false })))
        .respond_with(ok(json!({ "access_token": "T1", "expires_in": 7200 })))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_partial_json(json!({ "force_refresh": true })))
        .respond_with(ok(json!({ "access_token": "T2", "expires_in": 7200 })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .and(query_param("access_token", "T1"))
        .respond_with(wx_error(
            40001,
            "invalid credential, access_token is invalid or not latest",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .and(query_param("access_token", "T2"))
        .respond_with(ok(json!({ "ip_list": [] })))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).account().await.unwrap();
}

#[tokio::test]
async fn a_token_rejected_twice_needs_reconnecting() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .respond_with(wx_error(40001, "invalid credential"))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).account().await.unwrap_err();
    let PlatformError::Reauthorize { reason } = err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("after a refresh"), "{reason}");
    assert!(reason.contains(&format!("ref rid {RID}")), "{reason}");
    // Normal fetch, then one forced fetch because the same token came back.
    assert_eq!(requests_to(&server, "/cgi-bin/stable_token").await.len(), 3);
}

#[tokio::test]
async fn refresh_credentials_fetches_a_new_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(ok(json!({ "access_token": "T1", "expires_in": 7200 })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .and(body_partial_json(json!({ "force_refresh": false })))
        .respond_with(ok(json!({ "access_token": "T2", "expires_in": 7200 })))
        .mount(&server)
        .await;
    for t in ["T1", "T2"] {
        Mock::given(method("GET"))
            .and(path("/cgi-bin/get_api_domain_ip"))
            .and(query_param("access_token", t))
            .respond_with(ok(json!({ "ip_list": [] })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    c.account().await.unwrap();
    c.refresh_credentials().await.unwrap();
    c.account().await.unwrap();
}

#[tokio::test]
async fn token_endpoint_errors_are_classified() {
    let cases: [(i64, &str, &str); 4] = [
        (40125, "invalid appsecret", "AppSecret"),
        (40013, "invalid appid", "AppID"),
        (
            40164,
            "invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist",
            "IP address 203.0.113.9 is not on it",
        ),
        (-1, "system error", "busy"),
    ];
    for (code, msg, says) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .respond_with(wx_error(code, msg))
            .mount(&server)
            .await;
        let err = client(&server).account().await.unwrap_err();
        let reason = match (&err, code) {
            (PlatformError::RetryAt { reason, .. }, -1) => reason,
            (PlatformError::Reauthorize { reason }, c) if c != -1 => reason,
            _ => panic!("{code}: {err:?}"),
        };
        assert!(reason.contains(says), "{code}: {reason}");
        assert!(reason.ends_with(&format!("ref rid {RID})")), "{reason}");
        assert!(!reason.contains(" rid: "), "{reason}");
        assert!(!reason.contains(SECRET), "{reason}");
        if code == 40164 {
            assert!(reason.contains("whitelist"), "{reason}");
        }
    }
}

// -- API error classes -------------------------------------------------------------

/// The error `account()` gets when `get_api_domain_ip` answers `response`.
async fn read_error(response: ResponseTemplate) -> PlatformError {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .respond_with(response)
        .mount(&server)
        .await;
    client(&server).account().await.unwrap_err()
}

/// The error `publish` gets when the draft was already created and the
/// submit answers `response`. `resumed`: the draft came from an earlier
/// attempt.
async fn submit_error(response: ResponseTemplate, resumed_draft: bool) -> PlatformError {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/material/add_material")
        .respond_with(ok(json!({ "media_id": "THUMB1" })))
        .mount(&server)
        .await;
    api("/cgi-bin/draft/add")
        .respond_with(ok(json!({ "media_id": "DRAFT1" })))
        .mount(&server)
        .await;
    api("/cgi-bin/freepublish/submit")
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let req = if resumed_draft {
        resumed(json!({ "draft_media_id": "DRAFT1" }))
    } else {
        request()
    };
    client(&server)
        .publish(&req, &NoCheckpoint)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn daily_quota_lasts_until_midnight_china_time() {
    let before = Utc::now();
    let err = read_error(wx_error(45009, "reach max api daily quota limit")).await;
    let PlatformError::QuotaExhausted { until, reason } = err else {
        panic!("{err:?}")
    };
    assert!(until > before && until <= before + chrono::TimeDelta::days(1));
    assert_eq!((until.hour(), until.minute(), until.second()), (16, 0, 0));
    assert!(reason.contains("daily"), "{reason}");
}

#[tokio::test]
async fn minute_quota_retries_next_minute() {
    let before = Utc::now();
    let err = read_error(wx_error(45011, "api minute-quota reach limit")).await;
    let PlatformError::RetryAt { at: Some(at), .. } = err else {
        panic!("{err:?}")
    };
    assert!(at > before && at <= before + chrono::TimeDelta::minutes(1));
    assert_eq!(at.second(), 0);
}

#[tokio::test]
async fn busy_is_retried_on_reads_and_unknown_on_submit() {
    let err = read_error(wx_error(-1, "system error")).await;
    assert!(
        matches!(err, PlatformError::RetryAt { at: None, .. }),
        "{err:?}"
    );
    let err = submit_error(wx_error(-1, "system error"), false).await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn unknown_codes_are_permanent_on_reads_and_unknown_on_submit() {
    let err = read_error(wx_error(99999, "something new")).await;
    let PlatformError::Permanent { reason } = err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("99999 \"something new\""), "{reason}");
    let err = submit_error(wx_error(99999, "something new"), false).await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn title_too_long_is_permanent_with_a_readable_reason() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/material/add_material")
        .respond_with(ok(json!({ "media_id": "THUMB1" })))
        .mount(&server)
        .await;
    api("/cgi-bin/draft/add")
        .respond_with(wx_error(45003, "title size out of limit"))
        .mount(&server)
        .await;
    api("/cgi-bin/freepublish/submit")
        .respond_with(ok(json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server)
        .publish(&request(), &NoCheckpoint)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        PlatformError::permanent(format!(
            "the title is too long for WeChat (at most 32 characters) (WeChat errcode 45003 \
             \"title size out of limit\", ref rid {RID})"
        ))
    );
}

#[tokio::test]
async fn publish_check_failure_is_permanent() {
    let err = submit_error(wx_error(53503, "draft can not be published"), false).await;
    let PlatformError::Permanent { reason } = err else {
        panic!("{err:?}")
    };
    assert!(
        reason.starts_with("the draft failed WeChat's publish check"),
        "{reason}"
    );
}

#[tokio::test]
async fn invalid_media_id_is_permanent_unless_the_draft_came_from_an_earlier_attempt() {
    let err = submit_error(wx_error(40007, "invalid media_id"), false).await;
    assert!(matches!(err, PlatformError::Permanent { .. }), "{err:?}");
    // An earlier attempt's draft that is gone was probably consumed by that
    // attempt's lost submit: reconcile rather than fail.
    let err = submit_error(wx_error(40007, "invalid media_id"), true).await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn gateway_errors_follow_could_it_have_landed() {
    let err = read_error(ResponseTemplate::new(502)).await;
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
    let err = submit_error(ResponseTemplate::new(502), false).await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    let err = submit_error(ResponseTemplate::new(200).set_body_string("<html>"), false).await;
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
}

#[tokio::test]
async fn a_hung_submit_is_unknown_and_a_hung_draft_is_retried() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    let hang = ok(json!({ "media_id": "X" })).set_delay(Duration::from_secs(5));
    api("/cgi-bin/freepublish/submit")
        .respond_with(hang.clone())
        .mount(&server)
        .await;
    api("/cgi-bin/draft/add")
        .respond_with(hang)
        .mount(&server)
        .await;
    let c = client_with_timeout(&server.uri(), Duration::from_millis(300));

    let err = c
        .publish(
            &resumed(json!({ "draft_media_id": "DRAFT0" })),
            &NoCheckpoint,
        )
        .await
        .unwrap_err();
    let PlatformError::Unknown { reason } = err else {
        panic!("{err:?}")
    };
    assert!(!reason.contains("access_token"), "{reason}");

    let err = c
        .publish(
            &resumed(json!({ "thumb_media_id": "THUMB0" })),
            &NoCheckpoint,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
}

#[tokio::test]
async fn connection_refused_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let c = client_with_timeout(&base, Duration::from_millis(300));
    let err = c.publish(&request(), &NoCheckpoint).await.unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
    let err = c.account().await.unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
}

#[test]
fn debug_output_shows_no_secrets() {
    let c = client_with_timeout("http://127.0.0.1:9", Duration::from_millis(300));
    let shown = format!("{c:?}");
    assert!(shown.contains("127.0.0.1:9"));
    assert!(!shown.contains(SECRET));
}

// -- settle ----------------------------------------------------------------------

async fn settle_with(answer: Value) -> Result<Settled, PlatformError> {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/freepublish/get")
        .and(query_param("access_token", "T1"))
        .and(body_json(json!({ "publish_id": "2247000001" })))
        .respond_with(ok(answer))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).settle(&submitted()).await
}

#[tokio::test]
async fn settle_success_gives_the_article_url_and_id() {
    let settled = settle_with(json!({
        "publish_id": "2247000001", "publish_status": 0, "article_id": "ART1",
        "article_detail": { "count": 1, "item": [
            { "idx": 1, "article_url": "https://mp.weixin.qq.com/s/abc" }
        ]},
        "fail_idx": []
    }))
    .await
    .unwrap();
    let mut done = submitted();
    done.url = Some("https://mp.weixin.qq.com/s/abc".into());
    done.extra["article_id"] = json!("ART1");
    done.pending = false;
    assert_eq!(settled, Settled::Done(done));
}

#[tokio::test]
async fn settle_publishing_checks_again_shortly() {
    let before = Utc::now();
    let settled = settle_with(json!({ "publish_id": "2247000001", "publish_status": 1 }))
        .await
        .unwrap();
    let Settled::Pending { check_at } = settled else {
        panic!("{settled:?}")
    };
    assert!(check_at >= before + SETTLE_POLL);
    assert!(check_at <= Utc::now() + SETTLE_POLL);
}

#[tokio::test]
async fn settle_failures_are_rejections_with_reasons() {
    let cases = [
        (
            2,
            json!([1]),
            "WeChat's originality check failed for article 1 (publish_status 2)",
        ),
        (
            3,
            json!([]),
            "WeChat could not publish the article (publish_status 3)",
        ),
        (
            4,
            json!([1, 2]),
            "WeChat's review rejected the article for articles 1, 2 (publish_status 4)",
        ),
        (
            5,
            json!([]),
            "the article was deleted after publishing (publish_status 5)",
        ),
        (
            6,
            json!([]),
            "the article was banned by the platform after publishing (publish_status 6)",
        ),
    ];
    for (status, fail_idx, reason) in cases {
        let settled = settle_with(json!({
            "publish_id": "2247000001", "publish_status": status, "fail_idx": fail_idx
        }))
        .await
        .unwrap();
        assert_eq!(
            settled,
            Settled::Rejected {
                reason: reason.into()
            }
        );
    }
    let err = settle_with(json!({ "publish_id": "2247000001", "publish_status": 9 }))
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Permanent { .. }), "{err:?}");
}

#[tokio::test]
async fn settle_of_a_settled_post_asks_nothing() {
    let server = MockServer::start().await;
    let done = Published {
        pending: false,
        ..submitted()
    };
    let settled = client(&server).settle(&done).await.unwrap();
    assert_eq!(settled, Settled::Done(done));
    assert!(server.received_requests().await.unwrap().is_empty());
}

// -- reconcile -------------------------------------------------------------------

fn article(id: &str, title: &str, update_time: i64) -> Value {
    json!({
        "article_id": id,
        "content": { "news_item": [{
            "title": title, "url": format!("https://mp.weixin.qq.com/s/{id}"), "digest": ""
        }]},
        "update_time": update_time,
    })
}

#[tokio::test]
async fn reconcile_is_absent_while_the_draft_exists() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/draft/get")
        .and(body_json(json!({ "media_id": "DRAFT1" })))
        .respond_with(ok(json!({ "news_item": [{ "title": "同步测试标题" }] })))
        .expect(1)
        .mount(&server)
        .await;
    api("/cgi-bin/freepublish/batchget")
        .respond_with(ok(json!({ "total_count": 0, "item_count": 0, "item": [] })))
        .expect(0)
        .mount(&server)
        .await;
    let req = resumed(json!({ "thumb_media_id": "THUMB1", "draft_media_id": "DRAFT1" }));
    let r = client(&server).reconcile(&req, Utc::now()).await.unwrap();
    assert_eq!(r, Reconciled::Absent);
}

#[tokio::test]
async fn reconcile_finds_the_published_article_by_title_and_time() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/draft/get")
        .respond_with(wx_error(40007, "invalid media_id"))
        .expect(1)
        .mount(&server)
        .await;
    let since = Utc::now() - chrono::TimeDelta::minutes(1);
    let t = since.timestamp();
    api("/cgi-bin/freepublish/batchget")
        .and(body_json(
            json!({ "offset": 0, "count": 20, "no_content": 0 }),
        ))
        .respond_with(ok(json!({
            "total_count": 3, "item_count": 3, "item": [
                article("ART3", "另一篇", t + 30),
                article("ART2", "同步测试标题", t - 2),
                article("ART1", "同步测试标题", t - 3600),
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let req = resumed(json!({ "draft_media_id": "DRAFT1" }));
    let r = client(&server).reconcile(&req, since).await.unwrap();
    assert_eq!(
        r,
        Reconciled::Found(Published {
            remote_id: "ART2".into(),
            url: Some("https://mp.weixin.qq.com/s/ART2".into()),
            extra: json!({ "article_id": "ART2", "url": "https://mp.weixin.qq.com/s/ART2" }),
            pending: false,
        })
    );
}

#[tokio::test]
async fn reconcile_is_undecided_when_the_draft_is_gone_and_no_article_matches() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/draft/get")
        .respond_with(wx_error(40007, "invalid media_id"))
        .mount(&server)
        .await;
    let now = Utc::now().timestamp();
    let page1: Vec<Value> = (0..20)
        .map(|i| article(&format!("A{i}"), "别的", now))
        .collect();
    // Asked twice: once per reconcile below.
    api("/cgi-bin/freepublish/batchget")
        .and(body_partial_json(json!({ "offset": 0 })))
        .respond_with(ok(
            json!({ "total_count": 25, "item_count": 20, "item": page1 }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let page2: Vec<Value> = (20..25)
        .map(|i| article(&format!("A{i}"), "别的", now))
        .collect();
    api("/cgi-bin/freepublish/batchget")
        .and(body_partial_json(json!({ "offset": 20 })))
        .respond_with(ok(
            json!({ "total_count": 25, "item_count": 5, "item": page2 }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    // An hour after the attempt: the publish job would have finished.
    let r = c
        .reconcile(
            &resumed(json!({ "draft_media_id": "DRAFT1" })),
            Utc::now() - chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    let Reconciled::Undecided { reason } = r else {
        panic!("{r:?}")
    };
    assert!(reason.contains("consumed"), "{reason}");
    assert_eq!(requests_to(&server, "/cgi-bin/draft/get").await.len(), 1);
}

#[tokio::test]
async fn a_consumed_draft_soon_after_the_attempt_is_asked_again_later() {
    // The publish job lists the article only once it has finished.
    let server = MockServer::start().await;
    token(&server, "T1").await;
    api("/cgi-bin/draft/get")
        .respond_with(wx_error(40007, "invalid media_id"))
        .mount(&server)
        .await;
    api("/cgi-bin/freepublish/batchget")
        .respond_with(ok(json!({ "total_count": 0, "item_count": 0, "item": [] })))
        .mount(&server)
        .await;
    let err = client(&server)
        .reconcile(
            &resumed(json!({ "draft_media_id": "DRAFT1" })),
            Utc::now() - chrono::Duration::seconds(3),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
}

#[tokio::test]
async fn reconcile_without_a_recorded_draft_is_absent_without_asking() {
    // `publish` records the draft id before submitting: no id, no submit.
    let server = MockServer::start().await;
    let c = client(&server);
    let r = c.reconcile(&request(), Utc::now()).await.unwrap();
    assert_eq!(r, Reconciled::Absent);
    assert!(server.received_requests().await.unwrap().is_empty());
}

// -- metrics ---------------------------------------------------------------------

fn post(remote_id: &str, published_at: DateTime<Utc>, extra: Value) -> RemotePost {
    RemotePost {
        remote_id: remote_id.into(),
        published_at,
        extra,
    }
}

#[tokio::test]
async fn metrics_are_read_per_china_date_from_the_latest_cumulative_entry() {
    let server = MockServer::start().await;
    token(&server, "T1").await;
    let item_a = json!({
        "ref_date": "2025-01-10", "msgid": "100_1", "publish_type": 1,
        "detail_list": [
            { "stat_date": "2025-01-12", "read_user": 12, "share_user": 3, "like_user": 4,
              "zaikan_user": 0, "comment_count": 2 },
            { "stat_date": "2025-01-10", "read_user": 5, "share_user": 1, "like_user": 1,
              "zaikan_user": 0, "comment_count": 0, "collection_user": 1 },
        ]
    });
    let item_b = json!({
        "ref_date": "2025-01-10", "msgid": "200_1", "publish_type": 1,
        "detail_list": [{ "stat_date": "2025-01-10", "read_user": 7, "share_user": 0,
            "like_user": 0, "comment_count": 0, "collection_user": 2 }]
    });
    api("/datacube/getarticletotaldetail")
        .and(query_param("access_token", "T1"))
        .and(body_json(json!({ "begin_date": "2025-01-10", "end_date": "2025-01-10" })))
        .respond_with(ok(json!({
            "list": [item_a, item_b, { "ref_date": "2025-01-10", "msgid": "999_1", "detail_list": [] }],
            "is_delay": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let item_c = json!({
        "ref_date": "2025-01-11", "msgid": "300_1", "publish_type": 1,
        "detail_list": [{ "stat_date": "2025-01-11", "read_user": 1 }]
    });
    api("/datacube/getarticletotaldetail")
        .and(body_json(
            json!({ "begin_date": "2025-01-11", "end_date": "2025-01-11" }),
        ))
        .respond_with(ok(json!({ "list": [item_c], "is_delay": true })))
        .expect(1)
        .mount(&server)
        .await;

    let posts = [
        // 10:00 China time on 10 January.
        post(
            "100",
            Utc.with_ymd_and_hms(2025, 1, 10, 2, 0, 0).unwrap(),
            json!({ "publish_id": "P1", "msg_data_id": "100" }),
        ),
        // Stored without extra: the remote id is the msg_data_id.
        post(
            "200",
            Utc.with_ymd_and_hms(2025, 1, 10, 8, 0, 0).unwrap(),
            Value::Null,
        ),
        // 17:30 UTC is already 11 January in China.
        post(
            "300",
            Utc.with_ymd_and_hms(2025, 1, 10, 17, 30, 0).unwrap(),
            json!({ "msg_data_id": 300 }),
        ),
        // Today: no data yet, not asked for.
        post("400", Utc::now(), json!({ "msg_data_id": "400" })),
        // Found by reconciliation: only an article id, which analytics do not know.
        post(
            "ART1",
            Utc.with_ymd_and_hms(2025, 1, 9, 2, 0, 0).unwrap(),
            json!({ "article_id": "ART1" }),
        ),
    ];
    let reports = client(&server).metrics(&posts).await.unwrap();
    assert_eq!(
        requests_to(&server, "/datacube/getarticletotaldetail")
            .await
            .len(),
        2
    );
    assert_eq!(reports.len(), 3);

    let a = &reports[0];
    assert_eq!(a.remote_id, "100");
    assert_eq!(
        a.metrics,
        MetricSet {
            views: None,
            reach: Some(Figure::new(12, "read_user")),
            reactions: Some(Figure::new(4, "like_user")),
            comments: Some(Figure::new(2, "comment_count")),
            shares: Some(Figure::new(3, "share_user")),
            link_clicks: None,
            // Absent in the latest entry: absent, not 0 and not yesterday's.
            saves: None,
        }
    );
    assert_eq!(a.raw["msgid"], "100_1");
    assert!(a.raw.get("is_delay").is_none());

    assert_eq!(reports[1].remote_id, "200");
    assert_eq!(
        reports[1].metrics.saves,
        Some(Figure::new(2, "collection_user"))
    );

    let c = &reports[2];
    assert_eq!(c.remote_id, "300");
    assert_eq!(c.metrics.reach, Some(Figure::new(1, "read_user")));
    assert_eq!(c.metrics.shares, None);
    assert_eq!(c.raw["is_delay"], true);
}

// -- validate and HTML -----------------------------------------------------------------

#[test]
fn validate_applies_the_wechat_rules() {
    let c = client_with_timeout("http://127.0.0.1:9", Duration::from_millis(300));
    assert!(c.validate(&request()).is_empty());
    let bad = PublishRequest {
        title: Some("标".repeat(33)),
        media: vec![MediaFile {
            content_type: "image/gif".into(),
            ..request().media[0].clone()
        }],
        ..request()
    };
    let issues = c.validate(&bad);
    assert!(issues.contains(&Issue::TooLong {
        field: content::Field::Title,
        length: 33,
        limit: 32
    }));
    assert!(issues.contains(&Issue::Required {
        field: content::Field::Cover
    }));
}

#[test]
fn article_html_is_escaped_and_in_paragraphs() {
    assert_eq!(
        article_html("a <script>\nb & \"c\"\n\n\n d\r\n"),
        "<p>a &lt;script&gt;<br/>b &amp; &quot;c&quot;</p><p> d</p>"
    );
    assert_eq!(article_html("  \n"), "");
}

#[test]
fn errcode_zero_or_missing_is_success() {
    assert_eq!(errcode(&json!({ "media_id": "x" })), None);
    assert_eq!(errcode(&json!({ "errcode": 0, "errmsg": "ok" })), None);
    assert_eq!(
        errcode(&json!({ "errcode": "45009", "errmsg": "quota" })),
        Some((45009, "quota".to_owned()))
    );
}
