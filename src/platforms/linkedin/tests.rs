//! Request shapes, headers, little text, media, token renewal, reconciling
//! and error classes of the LinkedIn client against a wiremock instance.

use super::*;
use std::sync::Mutex;
use std::time::Duration;
use wiremock::matchers::{bearer_token, body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ORG: &str = "2414183";

fn creds(expires_in: TimeDelta, refresh: bool) -> Credentials {
    Credentials::Linkedin {
        organization_id: ORG.into(),
        client_id: "cid".into(),
        client_secret: "csecret".into(),
        access_token: "tok".into(),
        expires_at: Utc::now() + expires_in,
        refresh_token: refresh.then(|| "refresh-1".to_owned()),
        refresh_expires_at: refresh.then(|| Utc::now() + TimeDelta::days(200)),
    }
}

fn long_lived() -> Credentials {
    creds(TimeDelta::days(30), false)
}

#[derive(Default)]
struct Kept(Mutex<Vec<Value>>);

#[async_trait]
impl Checkpoint for Kept {
    async fn record(&self, progress: &Value) -> Result<(), PlatformError> {
        self.0.lock().unwrap().push(progress.clone());
        Ok(())
    }
}

fn client_with(server: &MockServer, c: Credentials) -> (LinkedinClient, Arc<MemoryCredentials>) {
    let mut endpoints = Endpoints::single_host(&server.uri());
    endpoints.timeout = Duration::from_millis(1500);
    let store = MemoryCredentials::new(c);
    (
        LinkedinClient::new(http::build(&endpoints).unwrap(), endpoints, store.clone()),
        store,
    )
}

fn client(server: &MockServer, c: Credentials) -> LinkedinClient {
    client_with(server, c).0
}

fn request(text: &str) -> PublishRequest {
    PublishRequest {
        delivery_key: "d-1".into(),
        text: text.into(),
        title: None,
        digest: None,
        link: None,
        media: Vec::new(),
        thread: false,
        resume: None,
    }
}

fn png(alt: &str) -> MediaFile {
    MediaFile {
        content_type: "image/png".into(),
        file_name: "a.png".into(),
        alt: alt.into(),
        bytes: Arc::new(b"\x89PNG\r\n\x1a\nrest".to_vec()),
    }
}

fn created(urn: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).insert_header("x-restli-id", urn)
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "status": status, "message": message }))
}

fn post_bodies(reqs: &[Request]) -> Vec<Value> {
    reqs.iter()
        .filter(|r| r.url.path() == "/rest/posts" && r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn a_post_is_sent_versioned_in_little_text_and_named_by_its_x_restli_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .and(bearer_token("tok"))
        .and(header("linkedin-version", VERSION))
        .and(header("x-restli-protocol-version", "2.0.0"))
        .and(body_partial_json(json!({
            "author": "urn:li:organization:2414183",
            "commentary": "新茶 \\(limited\\) {hashtag|\\#|tea} 🍵 a\\_b",
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "distribution": {"feedDistribution": "MAIN_FEED"},
        })))
        .respond_with(created("urn:li:share:7001"))
        .expect(1)
        .mount(&server)
        .await;
    let published = client(&server, long_lived())
        .publish(&request("新茶 (limited) #tea 🍵 a_b"), &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(published.remote_id, "urn:li:share:7001");
    assert_eq!(
        published.url.as_deref(),
        Some("https://www.linkedin.com/feed/update/urn:li:share:7001/")
    );
    let body = &post_bodies(&server.received_requests().await.unwrap())[0];
    assert!(body.get("content").is_none(), "a text post has no content");
}

/// Whether `little` has no reserved character outside an escape or a
/// hashtag template (what LinkedIn would cut the post at).
fn nothing_bare(little: &str) -> bool {
    let chars: Vec<char> = little.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect();
        if chars[i] == '\\' {
            i += 2;
        } else if let Some(tag) = rest.strip_prefix("{hashtag|\\#|") {
            let Some(end) = tag.find('}') else {
                return false;
            };
            if !tag[..end].chars().all(char::is_alphanumeric) {
                return false;
            }
            i += "{hashtag|\\#|".chars().count() + tag[..end].chars().count() + 1;
        } else if RESERVED.contains(&chars[i]) {
            return false;
        } else {
            i += 1;
        }
    }
    true
}

#[test]
fn little_text_escapes_every_reserved_character_and_reads_back_unchanged() {
    let text = r"a\b|c{d}e@f[g]h(i)j<k>l#m*n_o~p # #1 x#y 標籤#話題 #茶 🍵";
    let little = little_text(text);
    assert!(nothing_bare(&little), "{little}");
    assert!(!nothing_bare("cut (here"));
    assert!(little.contains("{hashtag|\\#|1}"));
    assert!(little.contains("{hashtag|\\#|茶}"));
    assert!(
        little.contains("x\\#y"),
        "a # inside a word is not a hashtag"
    );
    assert!(little.contains("\\# "), "a lone # is escaped");
    assert_eq!(plain_text(&little), text);
    assert_eq!(
        plain_text("Hi @[Harbour Tea](urn:li:organization:1)!"),
        "Hi Harbour Tea!"
    );
}

#[tokio::test]
async fn a_201_without_a_post_urn_is_unknown_not_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let e = client(&server, long_lived())
        .publish(&request("hello"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(e, PlatformError::Unknown { .. }), "{e:?}");
}

#[tokio::test]
async fn the_duplicate_detector_names_the_post_already_made() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "status": 422,
            "message": "Content is a duplicate of urn:li:share:7141138937766391808",
            "errorDetails": {"inputErrors": [{"code": "DUPLICATE_POST", "description": "Duplicate post is detected", "input": {}}]}
        })))
        .mount(&server)
        .await;
    let e = client(&server, long_lived())
        .publish(&request("hello"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        PlatformError::AlreadyDone {
            remote_id: "urn:li:share:7141138937766391808".into(),
            url: Some(post_url("urn:li:share:7141138937766391808")),
        }
    );
}

#[tokio::test]
async fn every_error_class() {
    let now = Utc::now();
    let answer = |status: u16, message: &str| Answer {
        status: StatusCode::from_u16(status).unwrap(),
        headers: Default::default(),
        body: json!({ "status": status, "message": message }).to_string(),
    };
    let daily = classify(
        &answer(
            429,
            "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
        ),
        Call::Create,
        now,
    );
    match daily {
        PlatformError::QuotaExhausted { until, .. } => {
            assert!(until > now && until - now <= TimeDelta::days(1));
            assert_eq!(until.time(), chrono::NaiveTime::MIN);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        classify(&answer(429, "Too many requests"), Call::Create, now),
        PlatformError::RetryAt { .. }
    ));
    assert!(matches!(
        classify(&answer(401, "Invalid access token"), Call::Read, now),
        PlatformError::Reauthorize { .. }
    ));
    assert!(matches!(
        classify(&answer(403, "Not enough permissions"), Call::Create, now),
        PlatformError::Reauthorize { .. }
    ));
    assert!(matches!(
        classify(&answer(422, "commentary too long"), Call::Create, now),
        PlatformError::Permanent { .. }
    ));
    assert!(matches!(
        classify(
            &answer(426, "Requested version 202301 is not active"),
            Call::Read,
            now
        ),
        PlatformError::Permanent { .. }
    ));
    assert!(matches!(
        classify(&answer(500, "Internal Server Error"), Call::Create, now),
        PlatformError::Unknown { .. }
    ));
    assert!(matches!(
        classify(&answer(503, "Service Unavailable"), Call::Read, now),
        PlatformError::RetryAt { .. }
    ));
    assert!(matches!(
        classify(&answer(404, "Not Found"), Call::Read, now),
        PlatformError::Permanent { .. }
    ));
}

#[tokio::test]
async fn a_500_on_the_create_is_unknown_and_a_timeout_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .respond_with(error(500, "Internal Server Error"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .respond_with(created("urn:li:share:1").set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let c = client(&server, long_lived());
    for _ in 0..2 {
        let e = c.publish(&request("hi"), &NoCheckpoint).await.unwrap_err();
        assert!(matches!(e, PlatformError::Unknown { .. }), "{e:?}");
    }
}

/// Answers the image status: processing on the first look, then available.
struct Processing(Mutex<u32>);

impl wiremock::Respond for Processing {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut n = self.0.lock().unwrap();
        *n += 1;
        let status = if *n == 1 { "PROCESSING" } else { "AVAILABLE" };
        ResponseTemplate::new(200).set_body_json(json!({ "status": status }))
    }
}

async fn images_api(server: &MockServer, urns: &[&str]) {
    for (i, urn) in urns.iter().enumerate() {
        Mock::given(method("POST"))
            .and(path("/rest/images"))
            .and(query_param("action", "initializeUpload"))
            .and(header("linkedin-version", VERSION))
            .and(body_partial_json(json!({
                "initializeUploadRequest": {"owner": "urn:li:organization:2414183"}
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": {
                "uploadUrlExpiresAt": 1_900_000_000_000_i64,
                "uploadUrl": format!("{}/dms-uploads/up{i}", server.uri()),
                "image": urn,
            }})))
            .up_to_n_times(1)
            .mount(server)
            .await;
        Mock::given(method("PUT"))
            .and(path(format!("/dms-uploads/up{i}")))
            .and(bearer_token("tok"))
            .respond_with(ResponseTemplate::new(201))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/rest/images/{}", encode(urn))))
            .respond_with(Processing(Mutex::new(0)))
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn an_image_is_uploaded_waited_for_checkpointed_and_attached_with_its_alt_text() {
    let server = MockServer::start().await;
    images_api(&server, &["urn:li:image:C1"]).await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .and(body_partial_json(json!({
            "content": {"media": {"id": "urn:li:image:C1", "altText": "a cup"}}
        })))
        .respond_with(created("urn:li:share:9"))
        .expect(1)
        .mount(&server)
        .await;
    let mut r = request("tea");
    r.media = vec![png("a cup")];
    let kept = Kept::default();
    let p = client(&server, long_lived())
        .publish(&r, &kept)
        .await
        .unwrap();
    assert_eq!(p.remote_id, "urn:li:share:9");
    assert_eq!(
        kept.0.lock().unwrap().as_slice(),
        &[json!({"images": ["urn:li:image:C1"]})]
    );
    // The PUT carried the file's bytes.
    let reqs = server.received_requests().await.unwrap();
    let put = reqs.iter().find(|r| r.method.as_str() == "PUT").unwrap();
    assert_eq!(put.body, png("").bytes.as_ref().clone());
}

#[tokio::test]
async fn several_images_are_a_multi_image_post_and_a_resume_uploads_only_the_rest() {
    let server = MockServer::start().await;
    images_api(&server, &["urn:li:image:C2"]).await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .and(body_partial_json(
            json!({"content": {"multiImage": {"images": [
                {"id": "urn:li:image:C1", "altText": "one"},
                {"id": "urn:li:image:C2", "altText": "two"},
            ]}}}),
        ))
        .respond_with(created("urn:li:share:10"))
        .expect(1)
        .mount(&server)
        .await;
    let mut r = request("two cups");
    r.media = vec![png("one"), png("two")];
    r.resume = Some(json!({"images": ["urn:li:image:C1"]}));
    let p = client(&server, long_lived())
        .publish(&r, &NoCheckpoint)
        .await
        .unwrap();
    assert_eq!(
        p.extra["images"],
        json!(["urn:li:image:C1", "urn:li:image:C2"])
    );
    let inits = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/rest/images")
        .count();
    assert_eq!(inits, 1, "the image uploaded before the crash is reused");
}

#[tokio::test]
async fn a_link_is_an_article_and_a_video_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .and(body_partial_json(json!({"content": {"article": {
            "source": "https://example.com/tea", "title": "Spring tea", "description": "Fresh"
        }}})))
        .respond_with(created("urn:li:share:11"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, long_lived());
    let mut r = request("Read this");
    r.link = Some("https://example.com/tea".into());
    r.title = Some("Spring tea".into());
    r.digest = Some("Fresh".into());
    c.publish(&r, &NoCheckpoint).await.unwrap();

    let mut v = request("clip");
    v.media = vec![MediaFile {
        content_type: "video/mp4".into(),
        file_name: "a.mp4".into(),
        alt: String::new(),
        bytes: Arc::new(vec![0; 16]),
    }];
    assert!(c
        .validate(&v)
        .iter()
        .any(|i| matches!(i, Issue::UnsupportedMedia { .. })));
    let e = c.publish(&v, &NoCheckpoint).await.unwrap_err();
    assert!(matches!(e, PlatformError::Permanent { .. }));
    assert_eq!(
        post_bodies(&server.received_requests().await.unwrap()).len(),
        1
    );
}

#[tokio::test]
async fn an_expiring_token_is_renewed_and_stored_before_it_is_used() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/v2/accessToken"))
        .and(wiremock::matchers::body_string_contains(
            "grant_type=refresh_token",
        ))
        .and(wiremock::matchers::body_string_contains(
            "refresh_token=refresh-1",
        ))
        .and(wiremock::matchers::body_string_contains(
            "client_secret=csecret",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok2", "expires_in": 5_184_000,
            "refresh_token": "refresh-1", "refresh_token_expires_in": 1000
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/posts"))
        .and(bearer_token("tok2"))
        .respond_with(created("urn:li:share:12"))
        .expect(1)
        .mount(&server)
        .await;
    let (c, store) = client_with(&server, creds(TimeDelta::minutes(10), true));
    c.publish(&request("renewed"), &NoCheckpoint).await.unwrap();
    let Credentials::Linkedin {
        access_token,
        expires_at,
        refresh_token,
        refresh_expires_at,
        ..
    } = store.load().await.unwrap()
    else {
        panic!()
    };
    assert_eq!(access_token, "tok2");
    assert!(expires_at > Utc::now() + TimeDelta::days(59));
    assert_eq!(refresh_token.as_deref(), Some("refresh-1"));
    // The refresh token keeps its first expiry, as LinkedIn says.
    assert!(refresh_expires_at.unwrap() < Utc::now() + TimeDelta::seconds(1001));
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_or_asks_for_a_reconnect_without_a_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/organizations/2414183"))
        .and(bearer_token("tok"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "status": 401, "serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN",
            "message": "The token used in the request has expired"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/organizations/2414183"))
        .and(bearer_token("tok2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 2414183, "localizedName": "Harbour Tea"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/v2/accessToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok2", "expires_in": 5_184_000
        })))
        .expect(1)
        .mount(&server)
        .await;
    let renewing = client(&server, creds(TimeDelta::days(30), true));
    assert_eq!(
        renewing.account().await.unwrap(),
        AccountInfo {
            id: "2414183".into(),
            name: "Harbour Tea".into()
        }
    );
    let stuck = client(&server, long_lived());
    let e = stuck.account().await.unwrap_err();
    assert!(matches!(e, PlatformError::Reauthorize { .. }), "{e:?}");
}

fn listed(urn: &str, commentary: &str, age: TimeDelta) -> Value {
    json!({
        "id": urn, "author": "urn:li:organization:2414183", "commentary": commentary,
        "createdAt": (Utc::now() - age).timestamp_millis(), "lifecycleState": "PUBLISHED",
    })
}

#[tokio::test]
async fn reconciling_pages_back_through_the_organizations_posts_to_the_attempt() {
    let server = MockServer::start().await;
    let page = |start: usize, elements: Vec<Value>, next: bool| {
        let links = if next {
            json!([{"rel": "next", "type": "application/json", "href": "/rest/posts?start=next"}])
        } else {
            json!([])
        };
        Mock::given(method("GET"))
            .and(path("/rest/posts"))
            .and(query_param("q", "author"))
            .and(query_param("author", "urn:li:organization:2414183"))
            .and(query_param("sortBy", "CREATED"))
            .and(query_param("start", start.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "paging": {"start": start, "count": RECONCILE_PAGE, "links": links},
                "elements": elements,
            })))
    };
    let newer: Vec<Value> = (0..RECONCILE_PAGE)
        .map(|i| {
            listed(
                &format!("urn:li:share:{i}"),
                &format!("other {i}"),
                TimeDelta::seconds(1),
            )
        })
        .collect();
    page(0, newer, true).mount(&server).await;
    page(
        RECONCILE_PAGE,
        vec![
            listed(
                "urn:li:share:900",
                &little_text("Ours (2) #tea"),
                TimeDelta::minutes(1),
            ),
            listed("urn:li:share:1", "older", TimeDelta::hours(3)),
        ],
        false,
    )
    .mount(&server)
    .await;
    let c = client(&server, long_lived());
    let since = Utc::now() - TimeDelta::minutes(2);
    match c.reconcile(&request("Ours (2) #tea"), since).await.unwrap() {
        Reconciled::Found(p) => assert_eq!(p.remote_id, "urn:li:share:900"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.reconcile(&request("never sent"), since).await.unwrap(),
        Reconciled::Absent
    );
}

#[tokio::test]
async fn an_image_only_post_is_recognised_by_its_image_and_a_busy_page_is_undecided() {
    let server = MockServer::start().await;
    let mut with_image = listed("urn:li:share:77", "", TimeDelta::seconds(5));
    with_image["content"] = json!({"media": {"id": "urn:li:image:C9"}});
    Mock::given(method("GET"))
        .and(path("/rest/posts"))
        .and(query_param("start", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "paging": {"start": 0, "count": 50, "links": []},
            "elements": [with_image],
        })))
        .mount(&server)
        .await;
    let c = client(&server, long_lived());
    let mut r = request("");
    r.media = vec![png("x")];
    r.resume = Some(json!({"images": ["urn:li:image:C9"]}));
    let since = Utc::now() - TimeDelta::minutes(1);
    assert!(matches!(
        c.reconcile(&r, since).await.unwrap(),
        Reconciled::Found(p) if p.remote_id == "urn:li:share:77"
    ));

    let busy = MockServer::start().await;
    let full: Vec<Value> = (0..RECONCILE_PAGE)
        .map(|i| listed(&format!("urn:li:share:{i}"), "x", TimeDelta::seconds(1)))
        .collect();
    Mock::given(method("GET"))
        .and(path("/rest/posts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "paging": {"start": 0, "count": 50, "links": [{"rel": "next", "href": "/rest/posts"}]},
            "elements": full,
        })))
        .mount(&busy)
        .await;
    assert!(matches!(
        client(&busy, long_lived())
            .reconcile(&request("ours"), since)
            .await
            .unwrap(),
        Reconciled::Undecided { .. }
    ));
}

#[tokio::test]
async fn share_statistics_are_asked_in_restli_lists_and_keep_linkedins_names() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/organizationalEntityShareStatistics"))
        .and(query_param("q", "organizationalEntity"))
        .and(query_param("organizationalEntity", "urn:li:organization:2414183"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"elements": [
            {"organizationalEntity": "urn:li:organization:2414183", "share": "urn:li:share:1",
             "totalShareStatistics": {"uniqueImpressionsCount": 640, "impressionCount": 1020,
               "clickCount": 33, "likeCount": 21, "commentCount": 4, "shareCount": 2, "engagement": 0.058}},
            {"organizationalEntity": "urn:li:organization:2414183", "ugcPost": "urn:li:ugcPost:5",
             "totalShareStatistics": {"uniqueImpressionsCount": 1, "impressionCount": 2,
               "clickCount": 0, "likeCount": 0, "commentCount": 0, "shareCount": 0, "engagement": 0.0}},
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let post = |id: &str| RemotePost {
        remote_id: id.into(),
        published_at: Utc::now(),
        extra: Value::Null,
    };
    let reports = client(&server, long_lived())
        .metrics(&[
            post("urn:li:share:1"),
            post("urn:li:ugcPost:5"),
            post("urn:li:share:404"),
        ])
        .await
        .unwrap();
    assert_eq!(
        reports.len(),
        2,
        "a post LinkedIn does not report is left out"
    );
    let m = &reports[0].metrics;
    assert_eq!(m.views, Some(Figure::new(1020, "impressionCount")));
    assert_eq!(m.reach, Some(Figure::new(640, "uniqueImpressionsCount")));
    assert_eq!(m.reactions, Some(Figure::new(21, "likeCount")));
    assert_eq!(m.comments, Some(Figure::new(4, "commentCount")));
    assert_eq!(m.shares, Some(Figure::new(2, "shareCount")));
    assert_eq!(m.link_clicks, Some(Figure::new(33, "clickCount")));
    let reqs = server.received_requests().await.unwrap();
    let raw = reqs[0].url.query().unwrap();
    assert!(
        raw.contains("shares=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A404)"),
        "{raw}"
    );
    assert!(
        raw.contains("ugcPosts=List(urn%3Ali%3AugcPost%3A5)"),
        "{raw}"
    );
}

#[tokio::test]
async fn connecting_lists_only_the_organizations_the_member_may_post_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/organizationAcls"))
        .and(query_param("q", "roleAssignee"))
        .and(bearer_token("member"))
        .and(header("linkedin-version", VERSION))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"elements": [
            {"organization": "urn:li:organization:1", "role": "ADMINISTRATOR", "state": "APPROVED"},
            {"organization": "urn:li:organization:2", "role": "ANALYST", "state": "APPROVED"},
            {"organization": "urn:li:organization:3", "role": "CONTENT_ADMINISTRATOR", "state": "APPROVED"},
            {"organization": "urn:li:organization:4", "role": "ADMINISTRATOR", "state": "REVOKED"},
        ]})))
        .mount(&server)
        .await;
    for (id, name) in [("1", "Harbour Tea"), ("3", "Harbour Tea Careers")] {
        Mock::given(method("GET"))
            .and(path(format!("/rest/organizations/{id}")))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"id": id.parse::<u64>().unwrap(), "localizedName": name}),
                ),
            )
            .mount(&server)
            .await;
    }
    let endpoints = Endpoints::single_host(&server.uri());
    let http = http::build(&endpoints).unwrap();
    let orgs = posting_organizations(&http, &endpoints, "member")
        .await
        .unwrap();
    assert_eq!(
        orgs,
        vec![
            Organization {
                id: "1".into(),
                name: "Harbour Tea".into()
            },
            Organization {
                id: "3".into(),
                name: "Harbour Tea Careers".into()
            },
        ]
    );
    let url = authorize_url(&endpoints, "cid", "https://app.example/cb", "st");
    assert!(url.contains("/oauth/v2/authorization?response_type=code&client_id=cid"));
    assert!(
        url.contains("scope=w_organization_social%20r_organization_social%20rw_organization_admin")
            || url.contains(
                "scope=w_organization_social+r_organization_social+rw_organization_admin"
            )
    );
}
