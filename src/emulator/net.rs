//! Serving the emulator, and closing a connection without an answer
//! (the `hang` and `drop_connection` faults).
//!
//! `drop_connection` must look to the client like a crashed server: a reset
//! socket, no status line. The listener wraps every accepted socket with a
//! kill switch that travels to the handlers as connect info; when a handler
//! asks for the connection to be dropped, the guard middleware flips the
//! switch, the socket is set to linger zero (so closing it sends a reset)
//! and every later read or write fails, which makes the HTTP server drop the
//! connection before writing a byte of the response.

use super::host::Emulator;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::{IncomingStream, Listener};
use axum::Router;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A running emulator server; dropping it stops the server.
pub struct RunningEmulator {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    pub addr: SocketAddr,
    pub emulator: Emulator,
    task: Option<tokio::task::JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl RunningEmulator {
    /// Stops accepting, lets open requests end (hung ones are dropped) and
    /// waits a little for that; then gives up on stragglers.
    pub async fn shutdown(mut self) {
        self.emulator.signal_shutdown();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        // Graceful stop in the background: hung requests are released by
        // the shutdown signal, idle connections are closed, the task ends.
        if let Some(stop) = self.stop.take() {
            self.emulator.signal_shutdown();
            let _ = stop.send(());
        }
    }
}

/// Marker put on a response whose connection must be closed without
/// answering.
#[derive(Clone, Copy)]
struct KillConnection;

/// A response that the connection guard turns into a closed connection.
pub(crate) fn drop_connection() -> Response {
    let mut r = StatusCode::BAD_GATEWAY.into_response();
    r.extensions_mut().insert(KillConnection);
    r
}

impl Emulator {
    /// Never answers: waits until the server shuts down (or the client
    /// gives up, which drops this future), then drops the connection.
    pub(crate) async fn hang(&self) -> Response {
        self.shutting_down().await;
        drop_connection()
    }
}

/// Serves `router`, the routes of `emu`, on `addr` in the background.
pub(crate) async fn serve(
    emu: Emulator,
    router: Router,
    addr: SocketAddr,
) -> anyhow::Result<RunningEmulator> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        local.ip().to_string()
    };
    let base_url = format!("http://{host}:{}", local.port());
    let app = router.into_make_service_with_connect_info::<ConnHandle>();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(KillableListener(listener), app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = server.await {
            tracing::warn!(error = %e, "emulator server stopped with an error");
        }
    });
    tracing::info!(%base_url, "platform emulator listening");
    Ok(RunningEmulator {
        base_url,
        addr: local,
        emulator: emu,
        task: Some(task),
        stop: Some(tx),
    })
}

/// The per-connection kill switch, handed to handlers as connect info.
#[derive(Clone, Debug)]
pub(crate) struct ConnHandle {
    #[allow(dead_code)]
    pub remote: SocketAddr,
    killed: Arc<AtomicBool>,
}

impl ConnHandle {
    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }
}

impl axum::extract::connect_info::Connected<IncomingStream<'_, KillableListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub(crate) struct KillableListener(TcpListener);

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, remote)) => {
                    let _ = stream.set_nodelay(true);
                    let killed = Arc::new(AtomicBool::new(false));
                    return (
                        KillableStream {
                            inner: stream,
                            killed: killed.clone(),
                        },
                        ConnHandle { remote, killed },
                    );
                }
                // Out of file descriptors and the like: wait, do not spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(ConnHandle {
            remote: self.0.local_addr()?,
            killed: Arc::new(AtomicBool::new(false)),
        })
    }
}

pub(crate) struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl KillableStream {
    fn dead(&self) -> Option<io::Error> {
        if self.killed.load(Ordering::SeqCst) {
            // Linger zero: closing the socket sends a reset, not a FIN.
            let _ = self.inner.set_zero_linger();
            Some(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection dropped by fault injection",
            ))
        } else {
            None
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(e) = self.dead() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.dead() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.dead() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.dead() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Turns a handler's "drop this connection" into a really dropped
/// connection.
pub(crate) async fn connection_guard(req: Request, next: Next) -> Response {
    let handle = req.extensions().get::<ConnectInfo<ConnHandle>>().cloned();
    let resp = next.run(req).await;
    if resp.extensions().get::<KillConnection>().is_none() {
        return resp;
    }
    match handle {
        Some(ConnectInfo(h)) => {
            h.kill();
            resp
        }
        // Served without our listener: the best left is an empty 502 that
        // closes the connection.
        None => {
            let mut r = StatusCode::BAD_GATEWAY.into_response();
            r.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            r
        }
    }
}
