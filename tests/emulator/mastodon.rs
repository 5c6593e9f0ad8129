//! The Mastodon imitation through raw HTTP: idempotency keys, asynchronous
//! media, the instance's limit, listings and batch lookups, rate headers
//! and revoked tokens.

use super::{client, start, start_with, tiny_png};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use tongbu::emulator::{EmuPlatform, EmulatorOptions, Fault, FaultRule, RunningEmulator, DEMO};

const TOKEN: &str = DEMO.mastodon.access_token;

async fn status(
    c: &Client,
    e: &RunningEmulator,
    key: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut r = c
        .post(format!("{}/api/v1/statuses", e.base_url))
        .bearer_auth(TOKEN)
        .json(&body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    r.send().await.unwrap()
}

fn committed(e: &RunningEmulator) -> usize {
    e.emulator
        .ledger()
        .iter()
        .filter(|l| l.committed && l.kind == "mastodon.status")
        .count()
}

#[tokio::test]
async fn a_repeated_idempotency_key_answers_the_original_for_an_hour() {
    let e = start().await;
    let c = client();
    let a: Value = status(&c, &e, Some("k1"), json!({"status": "Hello"}))
        .await
        .json()
        .await
        .unwrap();
    let r = status(&c, &e, Some("k1"), json!({"status": "Hello"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let b: Value = r.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    assert_eq!(committed(&e), 1);
    // A failed create is not remembered; after the hour the key is free.
    e.emulator.advance(Duration::from_secs(3601));
    let later: Value = status(&c, &e, Some("k1"), json!({"status": "Hello"}))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(later["id"], a["id"]);
    assert_eq!(committed(&e), 2);
}

#[tokio::test]
async fn a_status_created_before_a_503_is_what_the_retry_gets() {
    let e = start().await;
    let c = client();
    e.emulator
        .inject(FaultRule::new(EmuPlatform::Mastodon, Fault::ErrorAfterCommit).times(1));
    let r = status(&c, &e, Some("k2"), json!({"status": "Once"})).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let r = status(&c, &e, Some("k2"), json!({"status": "Once"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(committed(&e), 1);
}

#[tokio::test]
async fn media_is_processed_before_a_status_can_attach_it() {
    let e = start_with(EmulatorOptions {
        publish_delay: Duration::from_secs(5),
        ..Default::default()
    })
    .await;
    let c = client();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(tiny_png())
                .file_name("a.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("description", "a cup");
    let r = c
        .post(format!("{}/api/v2/media", e.base_url))
        .bearer_auth(TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let m: Value = r.json().await.unwrap();
    assert!(m["url"].is_null());
    let id = m["id"].as_str().unwrap().to_owned();
    let poll = || {
        c.get(format!("{}/api/v1/media/{id}", e.base_url))
            .bearer_auth(TOKEN)
            .send()
    };
    assert_eq!(poll().await.unwrap().status(), StatusCode::PARTIAL_CONTENT);
    let r = status(
        &c,
        &e,
        None,
        json!({"status": "With a cup", "media_ids": [id]}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("not finished processing"));
    e.emulator.advance(Duration::from_secs(6));
    assert_eq!(poll().await.unwrap().status(), StatusCode::OK);
    let r = status(
        &c,
        &e,
        None,
        json!({"status": "With a cup", "media_ids": [id]}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_instance_says_its_limit_and_statuses_are_held_to_it() {
    let e = start().await;
    let c = client();
    e.emulator.set_mastodon_max_characters(1000);
    let i: Value = c
        .get(format!("{}/api/v2/instance", e.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(i["configuration"]["statuses"]["max_characters"], 1000);
    assert_eq!(
        status(&c, &e, None, json!({"status": "x".repeat(900)}))
            .await
            .status(),
        StatusCode::OK
    );
    let r = status(&c, &e, None, json!({"status": "x".repeat(1001)})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("limit of 1000"));
}

#[tokio::test]
async fn listings_page_back_and_batches_are_capped_at_twenty() {
    let e = start().await;
    let c = client();
    let mut ids = Vec::new();
    for i in 0..5 {
        let s: Value = status(&c, &e, None, json!({"status": format!("Post {i}")}))
            .await
            .json()
            .await
            .unwrap();
        ids.push(s["id"].as_str().unwrap().to_owned());
    }
    let url = format!(
        "{}/api/v1/accounts/{}/statuses",
        e.base_url, DEMO.mastodon.account_id
    );
    let r = c
        .get(&url)
        .bearer_auth(TOKEN)
        .query(&[("limit", "2")])
        .send()
        .await
        .unwrap();
    let reset = r.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&reset).is_ok(),
        "an ISO 8601 reset: {reset}"
    );
    assert!(r.headers()["link"]
        .to_str()
        .unwrap()
        .contains("rel=\"next\""));
    let page: Vec<Value> = r.json().await.unwrap();
    assert_eq!(
        page.iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [&ids[4], &ids[3]]
    );
    let older: Vec<Value> = c
        .get(&url)
        .bearer_auth(TOKEN)
        .query(&[("limit", "2"), ("max_id", ids[3].as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(older[0]["id"], ids[2].as_str());
    let q: Vec<(&str, &str)> = ids.iter().map(|i| ("id[]", i.as_str())).collect();
    let batch: Vec<Value> = c
        .get(format!("{}/api/v1/statuses", e.base_url))
        .bearer_auth(TOKEN)
        .query(&q)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(batch.len(), 5);
    let many: Vec<(&str, String)> = (0..21).map(|i| ("id[]", i.to_string())).collect();
    let r = c
        .get(format!("{}/api/v1/statuses", e.base_url))
        .bearer_auth(TOKEN)
        .query(&many)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_revoked_token_stays_revoked_until_faults_are_cleared() {
    let e = start().await;
    let c = client();
    e.emulator
        .inject(FaultRule::new(EmuPlatform::Mastodon, Fault::TokenRevoked).times(1));
    assert_eq!(
        status(&c, &e, None, json!({"status": "a"})).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = status(&c, &e, None, json!({"status": "b"})).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("revoked"));
    e.emulator.clear_faults();
    assert_eq!(
        status(&c, &e, None, json!({"status": "c"})).await.status(),
        StatusCode::OK
    );
}
