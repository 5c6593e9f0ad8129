//! Wechat client (to be written).

use super::*;
use crate::domain::content::Issue;

pub struct WechatClient {
    #[allow(dead_code)]
    http: reqwest::Client,
    #[allow(dead_code)]
    endpoints: Endpoints,
    #[allow(dead_code)]
    credentials: Arc<dyn CredentialStore>,
}

impl WechatClient {
    pub fn new(http: reqwest::Client, endpoints: Endpoints, credentials: Arc<dyn CredentialStore>) -> Self {
        WechatClient { http, endpoints, credentials }
    }
}

#[async_trait]
impl PlatformClient for WechatClient {
    fn platform(&self) -> Platform {
        Platform::Wechat
    }
    fn validate(&self, _request: &PublishRequest) -> Vec<Issue> {
        Vec::new()
    }
    async fn publish(&self, _request: &PublishRequest, _checkpoint: &dyn Checkpoint) -> Result<Published, PlatformError> {
        Err(PlatformError::permanent("not written yet"))
    }
    async fn reconcile(&self, _request: &PublishRequest, _since: DateTime<Utc>) -> Result<Reconciled, PlatformError> {
        Err(PlatformError::permanent("not written yet"))
    }
    async fn metrics(&self, _posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        Err(PlatformError::permanent("not written yet"))
    }
    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        Err(PlatformError::permanent("not written yet"))
    }
    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        Err(PlatformError::permanent("not written yet"))
    }
}
