//! Test harness: a fresh database per test (a temporary SQLite file, or a
//! throw-away PostgreSQL database), and the real router on port 0.
#![allow(dead_code)]

pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use tongbu::clock::{Clock, ManualClock};
use tongbu::domain::WorkspaceId;
use tongbu::server::config::Config;
use tongbu::server::{router, AppState};
use tongbu::store::Store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("TONGBU_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite://{}", dir.path().join("test.db").display()),
                dir,
                pg_name: None,
            },
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = postgres_admin_url();
                let name = format!("tongbu_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL must be reachable at {admin} for the tests: {e}")
                    });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let mut url = url::Url::parse(&admin).expect("admin url");
                url.set_path(&name);
                TestDb {
                    url: url.to_string(),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// The same database under a second handle that does not drop it (for
    /// a second app on it); its folder is a new, empty one.
    pub fn alias(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            dir: tempfile::tempdir().expect("temp dir"),
            pg_name: None,
        }
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        tongbu::store::connect(&self.url)
            .await
            .expect("connect and migrate")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Dropping needs a connection; the test's runtime may be gone.
            let admin = postgres_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
    /// The built-in platform emulator, when the config asked for one.
    pub emulator: Option<tongbu::emulator::RunningEmulator>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_on(TestDb::new(backend).await).await
    }

    /// Serves an existing database (e.g. one the command line prepared).
    pub async fn spawn_on(db: TestDb) -> TestApp {
        Self::spawn_configured(db, |_| {}).await
    }

    pub async fn spawn_configured(db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::for_data_dir(db.dir.path(), Some(db.url.clone()));
        adjust(&mut config);
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let mut state = router::build_state(config, clock.clone() as Arc<dyn Clock>)
            .await
            .expect("state");
        let emulator = if state.config.emulator {
            Some(
                tongbu::server::demo::attach_emulator(&mut state)
                    .await
                    .expect("emulator"),
            )
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            tongbu::server::router::serve(listener, serve_state, async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        });
        TestApp {
            addr,
            base: format!("http://{addr}"),
            state,
            clock,
            db,
            emulator,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Calls a server function the way a hydrated page does.
    pub async fn rpc(
        &self,
        client: &reqwest::Client,
        name: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/rpc/{name}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("rpc request")
    }

    /// Runs first-run set-up; returns a signed-in client and the workspace id.
    pub async fn setup_owner(&self, email: &str) -> (reqwest::Client, i64) {
        let c = self.client();
        let r = self
            .rpc(
                &c,
                "setup",
                &[
                    ("display_name", "Owner"),
                    ("email", email),
                    ("password", PASSWORD),
                    ("workspace", "Acme"),
                ],
            )
            .await;
        assert!(
            r.status().is_success(),
            "setup failed: {}",
            r.text().await.unwrap_or_default()
        );
        let path: String = r.json().await.expect("setup result");
        let ws = path
            .trim_start_matches("/w/")
            .trim_end_matches("/calendar")
            .parse()
            .expect("workspace id");
        (c, ws)
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Client {
        let c = self.client();
        let r = self
            .rpc(&c, "login", &[("email", email), ("password", password)])
            .await;
        assert!(
            r.status().is_success(),
            "login failed: {}",
            r.text().await.unwrap_or_default()
        );
        c
    }

    /// Creates a user with `role` in workspace `ws` (via the use case the CLI
    /// uses) and returns a signed-in client.
    pub async fn member(
        &self,
        email: &str,
        ws_name: &str,
        role: tongbu::domain::Role,
    ) -> reqwest::Client {
        tongbu::server::accounts::provision_user(
            &self.state,
            email,
            ws_name,
            role,
            PASSWORD.into(),
        )
        .await
        .expect("provision");
        self.login(email, PASSWORD).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Defines one test per backend from one async body taking a `Backend`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $body:expr;)*) => {
        $(
            mod $name {
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    ($body)(common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    ($body)(common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// `user`'s proven membership of `ws`, as an edge of the app resolves it
/// before calling a use case.
#[allow(dead_code)]
pub async fn as_member(
    state: &tongbu::server::AppState,
    user: &tongbu::store::UserRow,
    ws: WorkspaceId,
) -> tongbu::server::access::Member {
    tongbu::server::access::Member::resolve(state, user, ws)
        .await
        .expect("a member of the workspace")
}

/// A 1×1 PNG: a WeChat article's cover, or any post's image.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
