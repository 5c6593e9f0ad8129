//! Per-channel egress: a channel's platform traffic goes through its
//! configured proxy (`http://` or `socks5://`) and nowhere else, while a
//! channel without one goes direct. A real proxy process (the small forward
//! proxy in `tests/support/proxy.py`) runs on loopback and reports every
//! connection it carries; the platform is a wiremock server standing in
//! for WeChat's API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tongbu::domain::content::Platform;
use tongbu::platforms::{self, Credentials, Endpoints, MemoryCredentials};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The proxy process and what it reported.
struct Proxy {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/proxy.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the test proxy");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        out.read_line(&mut first).expect("proxy announces its port");
        let port = first
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .expect("LISTENING <port>");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Proxy { child, port, lines }
    }

    /// What the proxy carried, once it had time to print it.
    async fn seen(&self) -> Vec<String> {
        for _ in 0..50 {
            if !self.lines.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wechat_api() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "TOKEN", "expires_in": 7200})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_api_domain_ip"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ip_list": ["1.2.3.4"]})),
        )
        .mount(&server)
        .await;
    server
}

/// A WeChat channel's client for `api`, through `proxy` when given.
fn wechat_client(api: &MockServer, proxy: Option<String>) -> Arc<dyn platforms::PlatformClient> {
    let mut endpoints = Endpoints::single_host(&api.uri());
    endpoints.proxy = proxy;
    platforms::client_for(
        Platform::Wechat,
        &endpoints,
        MemoryCredentials::new(Credentials::Wechat {
            app_id: "wx1".into(),
            app_secret: "secret".into(),
        }),
    )
    .expect("client")
}

async fn check_account(api: &MockServer, proxy: Option<String>) {
    let client = wechat_client(api, proxy);
    let account = client
        .account()
        .await
        .expect("the platform answers through the egress");
    assert_eq!(account.id, "wx1");
}

fn api_port(api: &MockServer) -> u16 {
    api.address().port()
}

#[tokio::test]
async fn a_channel_with_an_http_proxy_sends_its_traffic_through_it() {
    let proxy = Proxy::start();
    let api = wechat_api().await;
    check_account(&api, Some(format!("http://127.0.0.1:{}", proxy.port))).await;
    let seen = proxy.seen().await;
    let port = api_port(&api);
    assert!(
        seen.iter()
            .any(|l| l.starts_with("HTTP POST http://127.0.0.1:")
                && l.contains(&format!(":{port}/cgi-bin/stable_token"))),
        "the token request went through the proxy: {seen:?}"
    );
    assert!(api.received_requests().await.unwrap().len() >= 2);
}

#[tokio::test]
async fn a_channel_with_a_socks5_proxy_sends_its_traffic_through_it() {
    let proxy = Proxy::start();
    let api = wechat_api().await;
    check_account(&api, Some(format!("socks5://127.0.0.1:{}", proxy.port))).await;
    let seen = proxy.seen().await;
    let port = api_port(&api);
    assert!(
        seen.iter()
            .any(|l| l == &format!("SOCKS5 127.0.0.1:{port}")),
        "the connection went through the SOCKS5 proxy: {seen:?}"
    );
}

#[tokio::test]
async fn a_channel_without_a_proxy_goes_direct_even_when_another_has_one() {
    let proxy = Proxy::start();
    let api = wechat_api().await;
    check_account(&api, None).await;
    // Give a stray connection time to show up before asserting none did.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(proxy.lines.lock().unwrap().is_empty());
    assert!(api.received_requests().await.unwrap().len() >= 2);
}

#[tokio::test]
async fn an_unreachable_proxy_means_try_again_not_unknown() {
    let api = wechat_api().await;
    // Nothing listens on the discard port on loopback.
    let client = wechat_client(&api, Some("http://127.0.0.1:9".into()));
    let err = client.account().await.unwrap_err();
    assert!(
        matches!(err, platforms::PlatformError::RetryAt { .. }),
        "{err:?}"
    );
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[test]
fn proxy_addresses_are_checked() {
    use tongbu::platforms::http::parse_proxy;
    assert!(parse_proxy("http://proxy.example:3128").is_ok());
    assert!(parse_proxy("https://proxy.example:443").is_ok());
    assert!(parse_proxy("socks5://user:pw@127.0.0.1:1080").is_ok());
    assert!(parse_proxy("ftp://proxy.example").is_err());
    assert!(parse_proxy("not a url").is_err());
}
