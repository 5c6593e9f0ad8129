//! The LinkedIn imitation through raw HTTP: versioning headers, the post
//! URN header, little text, the duplicate detector, images, listings,
//! share statistics, the consent page and token grants, the daily budget
//! and every fault mode.

use super::{client, start, start_with, tiny_png};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use tongbu::emulator::{EmuPlatform, EmulatorOptions, Fault, FaultRule, RunningEmulator, DEMO};

const TOKEN: &str = DEMO.linkedin.access_token;
const VERSION: &str = "202611";

fn org() -> String {
    format!("urn:li:organization:{}", DEMO.linkedin.organization_id)
}

fn versioned(r: RequestBuilder) -> RequestBuilder {
    r.bearer_auth(TOKEN)
        .header("LinkedIn-Version", VERSION)
        .header("X-Restli-Protocol-Version", "2.0.0")
}

fn body(commentary: &str) -> Value {
    json!({
        "author": org(), "commentary": commentary, "visibility": "PUBLIC",
        "distribution": { "feedDistribution": "MAIN_FEED", "targetEntities": [],
                          "thirdPartyDistributionChannels": [] },
        "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false,
    })
}

async fn create(c: &Client, e: &RunningEmulator, b: &Value) -> reqwest::Response {
    versioned(c.post(format!("{}/rest/posts", e.base_url)))
        .json(b)
        .send()
        .await
        .unwrap()
}

fn urn(r: &reqwest::Response) -> String {
    r.headers()["x-restli-id"].to_str().unwrap().to_owned()
}

fn committed(e: &RunningEmulator, kind: &str) -> usize {
    e.emulator
        .ledger()
        .iter()
        .filter(|l| l.committed && l.kind == kind)
        .count()
}

async fn json_of(r: RequestBuilder) -> (StatusCode, Value) {
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_post_is_201_with_its_urn_in_a_header_and_reads_back_as_little_text() {
    let e = start().await;
    let c = client();
    let r = create(&c, &e, &body("Spring tea \\(hot\\) {hashtag|\\#|tea}")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = urn(&r);
    assert!(id.starts_with("urn:li:share:"), "{id}");
    assert_eq!(r.headers()["x-linkedin-id"], id.as_str());
    assert!(r.bytes().await.unwrap().is_empty(), "an empty body");
    let line = e.emulator.ledger().pop().unwrap();
    assert_eq!(line.account, DEMO.linkedin.organization_id);
    assert_eq!(line.text.as_deref(), Some("Spring tea (hot) #tea"));

    let enc: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let (status, post) =
        json_of(versioned(c.get(format!("{}/rest/posts/{enc}", e.base_url)))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(post["commentary"], "Spring tea \\(hot\\) {hashtag|\\#|tea}");
    assert_eq!(post["author"], org());
}

#[tokio::test]
async fn an_unescaped_reserved_character_silently_cuts_the_post() {
    let e = start().await;
    let c = client();
    let r = create(&c, &e, &body("Sale (today only) on oolong")).await;
    assert_eq!(r.status(), StatusCode::CREATED, "LinkedIn says nothing");
    assert_eq!(
        e.emulator.ledger().pop().unwrap().text.as_deref(),
        Some("Sale ")
    );
}

#[tokio::test]
async fn versioning_headers_are_required_and_old_versions_are_gone() {
    let e = start().await;
    let c = client();
    let url = format!(
        "{}/rest/organizations/{}",
        e.base_url, DEMO.linkedin.organization_id
    );
    let (status, v) = json_of(c.get(&url).bearer_auth(TOKEN)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "VERSION_MISSING");
    let (status, v) = json_of(
        c.get(&url)
            .bearer_auth(TOKEN)
            .header("LinkedIn-Version", "202301")
            .header("X-Restli-Protocol-Version", "2.0.0"),
    )
    .await;
    assert_eq!(status, StatusCode::UPGRADE_REQUIRED);
    assert_eq!(v["code"], "NONEXISTENT_VERSION");
    let (status, _) = json_of(
        c.get(&url)
            .bearer_auth(TOKEN)
            .header("LinkedIn-Version", VERSION),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "protocol 2.0.0 required");
    let (status, v) = json_of(versioned(c.get(&url))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["localizedName"], DEMO.linkedin.organization_name);
    // An unknown token is 65600.
    let (status, v) = json_of(
        c.get(&url)
            .bearer_auth("nope")
            .header("LinkedIn-Version", VERSION)
            .header("X-Restli-Protocol-Version", "2.0.0"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["serviceErrorCode"], 65600);
}

#[tokio::test]
async fn the_same_text_within_a_week_is_a_duplicate_naming_the_first_post() {
    let e = start().await;
    let c = client();
    let first = urn(&create(&c, &e, &body("Once a week")).await);
    let r = create(&c, &e, &body("Once a week")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["errorDetails"]["inputErrors"][0]["code"],
        "DUPLICATE_POST"
    );
    assert!(v["message"].as_str().unwrap().contains(&first), "{v}");
    assert_eq!(committed(&e, "linkedin.post"), 1);
    // The other page may say the same; a week later this one may too.
    let mut other = body("Once a week");
    other["author"] = json!(format!(
        "urn:li:organization:{}",
        DEMO.linkedin.second_organization_id
    ));
    assert_eq!(create(&c, &e, &other).await.status(), StatusCode::CREATED);
    e.emulator.advance(Duration::from_secs(7 * 86_400 + 60));
    assert_eq!(
        create(&c, &e, &body("Once a week")).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn an_image_is_processed_before_a_post_can_attach_it() {
    let e = start_with(EmulatorOptions {
        publish_delay: Duration::from_secs(5),
        ..Default::default()
    })
    .await;
    let c = client();
    let (status, init) = json_of(
        versioned(c.post(format!(
            "{}/rest/images?action=initializeUpload",
            e.base_url
        )))
        .json(&json!({ "initializeUploadRequest": { "owner": org() } })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let image = init["value"]["image"].as_str().unwrap().to_owned();
    let upload = init["value"]["uploadUrl"].as_str().unwrap().to_owned();
    let enc: String = url::form_urlencoded::byte_serialize(image.as_bytes()).collect();
    let status_of = || async {
        json_of(versioned(
            c.get(format!("{}/rest/images/{enc}", e.base_url)),
        ))
        .await
        .1["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status_of().await, "WAITING_UPLOAD");
    let put = c
        .put(&upload)
        .bearer_auth(TOKEN)
        .body(tiny_png())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::CREATED);
    assert_eq!(status_of().await, "PROCESSING");
    let mut with_image = body("With a picture");
    with_image["content"] = json!({ "media": { "id": image, "altText": "tea" } });
    let early = create(&c, &e, &with_image).await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    e.emulator.advance(Duration::from_secs(6));
    assert_eq!(status_of().await, "AVAILABLE");
    assert_eq!(
        create(&c, &e, &with_image).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(committed(&e, "linkedin.image"), 1);
    assert_eq!(committed(&e, "linkedin.post"), 1);

    // Bytes that are not an image fail processing.
    let (_, init) = json_of(
        versioned(c.post(format!(
            "{}/rest/images?action=initializeUpload",
            e.base_url
        )))
        .json(&json!({ "initializeUploadRequest": { "owner": org() } })),
    )
    .await;
    let upload = init["value"]["uploadUrl"].as_str().unwrap();
    c.put(upload)
        .bearer_auth(TOKEN)
        .body("not an image")
        .send()
        .await
        .unwrap();
    e.emulator.advance(Duration::from_secs(6));
    let enc: String =
        url::form_urlencoded::byte_serialize(init["value"]["image"].as_str().unwrap().as_bytes())
            .collect();
    let (_, v) = json_of(versioned(
        c.get(format!("{}/rest/images/{enc}", e.base_url)),
    ))
    .await;
    assert_eq!(v["status"], "PROCESSING_FAILED");
}

#[tokio::test]
async fn the_pages_posts_are_listed_newest_first_with_paging_and_their_statistics_grow() {
    let e = start().await;
    let c = client();
    let mut urns = Vec::new();
    for i in 0..3 {
        urns.push(urn(&create(&c, &e, &body(&format!("Post {i}"))).await));
    }
    let author: String = url::form_urlencoded::byte_serialize(org().as_bytes()).collect();
    let (status, page) = json_of(versioned(c.get(format!(
        "{}/rest/posts?q=author&author={author}&count=2&start=0&sortBy=CREATED",
        e.base_url
    ))))
    .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = page["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [urns[2].as_str(), urns[1].as_str()]);
    assert_eq!(page["paging"]["links"][0]["rel"], "next");
    let (_, rest) = json_of(versioned(c.get(format!(
        "{}/rest/posts?q=author&author={author}&count=2&start=2&sortBy=CREATED",
        e.base_url
    ))))
    .await;
    assert_eq!(rest["elements"][0]["id"], urns[0].as_str());
    assert!(rest["paging"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["rel"] != "next"));

    let list = urns
        .iter()
        .map(|u| url::form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join(",");
    let stats_url = format!(
        "{}/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={author}&shares=List({list})",
        e.base_url
    );
    let (status, fresh) = json_of(versioned(c.get(&stats_url))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fresh["elements"].as_array().unwrap().len(), 3);
    assert_eq!(
        fresh["elements"][0]["totalShareStatistics"]["impressionCount"],
        0
    );
    e.emulator.advance(Duration::from_secs(12 * 3600));
    let (_, later) = json_of(versioned(c.get(&stats_url))).await;
    let s = &later["elements"][0]["totalShareStatistics"];
    assert_eq!(later["elements"][0]["share"], urns[0].as_str());
    assert!(s["impressionCount"].as_u64().unwrap() > 0);
    assert!(s["uniqueImpressionsCount"].as_u64() <= s["impressionCount"].as_u64());
    let figures = e.emulator.figures(&urns[0]).unwrap();
    assert_eq!(s["likeCount"].as_u64().unwrap(), figures.likes);
}

#[tokio::test]
async fn consent_grants_a_code_that_trades_once_for_tokens_that_refresh() {
    let e = start().await;
    let c = client();
    let redirect = "http://127.0.0.1:9/oauth/linkedin/callback";
    let query = [
        ("response_type", "code"),
        ("client_id", DEMO.linkedin.client_id),
        ("redirect_uri", redirect),
        ("state", "s1"),
        (
            "scope",
            "w_organization_social r_organization_social rw_organization_admin",
        ),
    ];
    let page = c
        .get(format!("{}/oauth/v2/authorization", e.base_url))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(DEMO.linkedin.member_name) && html.contains("w_organization_social"));

    let mut form: Vec<(&str, &str)> = query.to_vec();
    form.push(("decision", "deny"));
    let denied = c
        .post(format!("{}/oauth/v2/authorization", e.base_url))
        .form(&form)
        .send()
        .await
        .unwrap();
    let to = denied.headers()["location"].to_str().unwrap();
    assert!(
        to.contains("error=user_cancelled_authorize") && to.contains("state=s1"),
        "{to}"
    );

    form.pop();
    form.push(("decision", "allow"));
    let allowed = c
        .post(format!("{}/oauth/v2/authorization", e.base_url))
        .form(&form)
        .send()
        .await
        .unwrap();
    let to = url::Url::parse(allowed.headers()["location"].to_str().unwrap()).unwrap();
    let code = to
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let exchange = || async {
        json_of(
            c.post(format!("{}/oauth/v2/accessToken", e.base_url))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect),
                    ("client_id", DEMO.linkedin.client_id),
                    ("client_secret", DEMO.linkedin.client_secret),
                ]),
        )
        .await
    };
    let (status, grant) = exchange().await;
    assert_eq!(status, StatusCode::OK);
    assert!(grant["expires_in"].as_i64().unwrap() > 59 * 86_400);
    let (status, again) = exchange().await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a code is used once");
    assert_eq!(again["error"], "invalid_request");

    e.emulator.advance(Duration::from_secs(86_400));
    let (status, renewed) = json_of(c.post(format!("{}/oauth/v2/accessToken", e.base_url)).form(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", grant["refresh_token"].as_str().unwrap()),
            ("client_id", DEMO.linkedin.client_id),
            ("client_secret", DEMO.linkedin.client_secret),
        ],
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(renewed["access_token"], grant["access_token"]);
    assert_eq!(renewed["refresh_token"], grant["refresh_token"]);
    assert!(
        renewed["refresh_token_expires_in"].as_i64() < grant["refresh_token_expires_in"].as_i64(),
        "the refresh token does not slide"
    );
    // The member's pages, with their roles.
    let (_, acls) = json_of(
        c.get(format!(
            "{}/rest/organizationAcls?q=roleAssignee&state=APPROVED",
            e.base_url
        ))
        .bearer_auth(renewed["access_token"].as_str().unwrap())
        .header("LinkedIn-Version", VERSION)
        .header("X-Restli-Protocol-Version", "2.0.0"),
    )
    .await;
    assert_eq!(acls["elements"].as_array().unwrap().len(), 2);
    assert_eq!(acls["elements"][0]["role"], "ADMINISTRATOR");
}

#[tokio::test]
async fn the_members_daily_post_budget_is_a_member_day_throttle_until_midnight() {
    let e = start_with(EmulatorOptions {
        rate_limit_scale: 0.02,
        ..Default::default()
    })
    .await;
    let c = client();
    // 150 × 0.02 = 3 posts a day.
    for i in 0..3 {
        assert_eq!(
            create(&c, &e, &body(&format!("Budget {i}"))).await.status(),
            StatusCode::CREATED
        );
    }
    let r = create(&c, &e, &body("One too many")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let v: Value = r.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("MEMBER DAY"), "{v}");
    e.emulator.advance(Duration::from_secs(86_400));
    assert_eq!(
        create(&c, &e, &body("A new day")).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn every_fault_mode_answers_as_linkedin_would() {
    let e = start().await;
    let c = client();
    let f = |fault| FaultRule::new(EmuPlatform::Linkedin, fault).times(1);

    e.emulator.inject(f(Fault::ErrorBeforeCommit));
    let r = create(&c, &e, &body("Before commit")).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(committed(&e, "linkedin.post"), 0);

    e.emulator.inject(f(Fault::ErrorAfterCommit));
    let r = create(&c, &e, &body("After commit")).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(committed(&e, "linkedin.post"), 1);

    e.emulator.inject(f(Fault::RateLimit {
        reset_after_secs: 60,
    }));
    let r = create(&c, &e, &body("Throttled")).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    e.emulator.inject(f(Fault::Latency { ms: 200 }));
    let started = std::time::Instant::now();
    assert_eq!(
        create(&c, &e, &body("Slow")).await.status(),
        StatusCode::CREATED
    );
    assert!(started.elapsed() >= Duration::from_millis(200));

    e.emulator.inject(f(Fault::DropConnection));
    assert!(versioned(c.post(format!("{}/rest/posts", e.base_url)))
        .json(&body("Dropped"))
        .send()
        .await
        .is_err());

    e.emulator.inject(f(Fault::Hang));
    let hung = versioned(c.post(format!("{}/rest/posts", e.base_url)))
        .timeout(Duration::from_millis(300))
        .json(&body("Hung"))
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());

    e.emulator.inject(f(Fault::TokenExpired));
    let r = create(&c, &e, &body("Expired")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["serviceErrorCode"], 65602);
    // Expired until renewed, not only for the one call.
    let r = create(&c, &e, &body("Still expired")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    e.emulator.clear_faults();

    e.emulator.inject(f(Fault::TokenRevoked));
    let r = create(&c, &e, &body("Revoked")).await;
    assert_eq!(r.json::<Value>().await.unwrap()["serviceErrorCode"], 65601);
    let (status, _) = json_of(
        c.post(format!("{}/oauth/v2/accessToken", e.base_url))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", DEMO.linkedin.refresh_token),
                ("client_id", DEMO.linkedin.client_id),
                ("client_secret", DEMO.linkedin.client_secret),
            ]),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the refresh token is revoked too"
    );
    e.emulator.clear_faults();
    assert_eq!(
        create(&c, &e, &body("Recovered")).await.status(),
        StatusCode::CREATED,
        "the demo recovers"
    );

    // Every create that reached it is in the ledger with its fault.
    let faults: Vec<Option<String>> = e
        .emulator
        .ledger()
        .iter()
        .filter(|l| l.kind == "linkedin.post")
        .map(|l| l.fault.clone())
        .collect();
    for kind in [
        "error_before_commit",
        "error_after_commit",
        "rate_limit",
        "hang",
        "token_expired",
        "token_revoked",
    ] {
        assert!(
            faults.contains(&Some(kind.to_owned())),
            "{kind}: {faults:?}"
        );
    }
}
