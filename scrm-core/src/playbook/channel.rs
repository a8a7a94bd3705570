//! The channels section of a playbook: where customers come from (渠道).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A channel customers arrive through, such as a WeCom account or a Douyin shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Channel {
    /// Stable id, unique among channels: letters, digits, `_`, `-`, `.`; at most 64 characters.
    pub id: String,
    /// Display name (e.g. `企业微信`).
    pub name: String,
    /// The platform behind the channel.
    pub platform: Platform,
}

/// The social or offline platform a channel runs on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// WeCom (企业微信).
    Wecom,
    /// WeChat official account or personal WeChat (微信).
    Wechat,
    /// A WeChat mini-program (小程序).
    MiniProgram,
    /// Douyin (抖音).
    Douyin,
    /// Kuaishou (快手).
    Kuaishou,
    /// Baidu (百度).
    Baidu,
    /// QQ.
    Qq,
    /// Weibo (微博).
    Weibo,
    /// A web site or landing page.
    Web,
    /// Phone calls.
    Phone,
    /// Email.
    Email,
    /// Offline: store, event, trade show (线下).
    Offline,
    /// Anything else.
    Other,
}

impl Platform {
    /// The snake_case name used in playbooks.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Wecom => "wecom",
            Platform::Wechat => "wechat",
            Platform::MiniProgram => "mini_program",
            Platform::Douyin => "douyin",
            Platform::Kuaishou => "kuaishou",
            Platform::Baidu => "baidu",
            Platform::Qq => "qq",
            Platform::Weibo => "weibo",
            Platform::Web => "web",
            Platform::Phone => "phone",
            Platform::Email => "email",
            Platform::Offline => "offline",
            Platform::Other => "other",
        }
    }
}
