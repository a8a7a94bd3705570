//! Identities (身份): the ids a person carries on each platform, normalised so equal ids compare equal.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// The kind of an identity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdentityKind {
    /// WeCom external contact id (外部联系人 external_userid); unique within one corp (`scope`).
    WecomExternalUserid,
    /// WeChat unionid: one person across every app of one WeChat open platform account.
    WechatUnionid,
    /// WeChat openid: one person within one app (`scope` = app id). Weak: it links profiles only
    /// through a unionid.
    WechatOpenid,
    /// Phone number, normalised to E.164 (default region CN).
    Phone,
    /// Email address, trimmed and lower-cased.
    Email,
    /// Douyin openid, within one Douyin app (`scope`). Weak.
    DouyinOpenid,
    /// An id in a namespace of the host's own (`namespace`), strong only when `strong` is set.
    Custom,
}

impl IdentityKind {
    /// The snake_case name used in JSON and conditions.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::WecomExternalUserid => "wecom_external_userid",
            IdentityKind::WechatUnionid => "wechat_unionid",
            IdentityKind::WechatOpenid => "wechat_openid",
            IdentityKind::Phone => "phone",
            IdentityKind::Email => "email",
            IdentityKind::DouyinOpenid => "douyin_openid",
            IdentityKind::Custom => "custom",
        }
    }
}

impl IdentityKind {
    /// Reads a kind by its snake_case name (`phone`, `wechat_unionid`, ...).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] at `kind` listing the known names.
    pub fn from_name(name: &str) -> Result<IdentityKind> {
        const ALL: [IdentityKind; 7] = [
            IdentityKind::WecomExternalUserid,
            IdentityKind::WechatUnionid,
            IdentityKind::WechatOpenid,
            IdentityKind::Phone,
            IdentityKind::Email,
            IdentityKind::DouyinOpenid,
            IdentityKind::Custom,
        ];
        ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|k| k.as_str()).collect();
            Error::at(
                ErrorKind::Validation,
                "kind",
                format!(
                    "unknown identity kind {name:?}, expected one of: {}",
                    names.join(", ")
                ),
            )
        })
    }
}

impl fmt::Display for IdentityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One identity of a customer. Build it with [`Identity::new`] (or a shorthand such as
/// [`Identity::phone`]), which normalises and checks the value.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// What kind of id this is.
    pub kind: IdentityKind,
    /// For `custom`: the host's namespace (e.g. `erp_member_no`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Where the id is unique: the corp id for `wecom_external_userid`, the app id for openids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The normalised value.
    pub value: String,
    /// For `custom`: whether sharing this id proves two profiles are one person.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
}

impl Identity {
    /// An identity of `kind` with `value` normalised: phones to E.164 (default region CN), emails
    /// trimmed and lower-cased, other ids trimmed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the value when it is empty, not a valid phone number or
    /// email address, or when a scoped kind has no scope.
    pub fn new(kind: IdentityKind, value: &str, scope: Option<&str>) -> Result<Identity> {
        if kind == IdentityKind::Custom {
            return Err(Error::at(
                ErrorKind::Validation,
                "kind",
                "a custom identity needs a namespace: build it with Identity::custom",
            ));
        }
        let value = match kind {
            IdentityKind::Phone => normalise_phone(value)?,
            IdentityKind::Email => normalise_email(value)?,
            _ => non_empty(value, "value")?,
        };
        let needs_scope = matches!(
            kind,
            IdentityKind::WecomExternalUserid
                | IdentityKind::WechatOpenid
                | IdentityKind::DouyinOpenid
        );
        let scope = match scope.map(str::trim) {
            Some(s) if !s.is_empty() => Some(s.to_owned()),
            _ if needs_scope => {
                return Err(Error::at(
                    ErrorKind::Validation,
                    "scope",
                    format!("a {kind} identity needs a scope (the corp or app id it belongs to)"),
                ));
            }
            _ => None,
        };
        Ok(Identity {
            kind,
            namespace: None,
            scope,
            value,
            strong: false,
        })
    }

    /// A phone number, normalised to E.164: `138 0013 8000` → `+8613800138000`.
    pub fn phone(value: &str) -> Result<Identity> {
        Identity::new(IdentityKind::Phone, value, None)
    }

    /// An email address, trimmed and lower-cased.
    pub fn email(value: &str) -> Result<Identity> {
        Identity::new(IdentityKind::Email, value, None)
    }

    /// A WeChat unionid.
    pub fn unionid(value: &str) -> Result<Identity> {
        Identity::new(IdentityKind::WechatUnionid, value, None)
    }

    /// An id in the host's own `namespace`; `strong` ids merge profiles that share them.
    pub fn custom(namespace: &str, value: &str, strong: bool) -> Result<Identity> {
        let namespace = non_empty(namespace, "namespace")?;
        let value = non_empty(value, "value")?;
        Ok(Identity {
            kind: IdentityKind::Custom,
            namespace: Some(namespace),
            scope: None,
            value,
            strong,
        })
    }

    /// Whether sharing this identity proves two profiles are the same person (PIN: unionid,
    /// phone, email, external_userid within its corp, and custom ids marked strong).
    pub fn is_strong(&self) -> bool {
        match self.kind {
            IdentityKind::WechatUnionid
            | IdentityKind::Phone
            | IdentityKind::Email
            | IdentityKind::WecomExternalUserid => true,
            IdentityKind::WechatOpenid | IdentityKind::DouyinOpenid => false,
            IdentityKind::Custom => self.strong,
        }
    }

    /// Checks an identity read from JSON: the value must already be in normal form.
    pub(crate) fn check(&self, at: &str, out: &mut Vec<crate::Problem>) {
        let rebuilt = match self.kind {
            IdentityKind::Custom => Identity::custom(
                self.namespace.as_deref().unwrap_or_default(),
                &self.value,
                self.strong,
            ),
            kind => Identity::new(kind, &self.value, self.scope.as_deref()),
        };
        match rebuilt {
            Err(e) => out.extend(e.problems().iter().map(|p| {
                crate::Problem::new(crate::playbook::path_field(at, &p.path), p.message.clone())
            })),
            Ok(normal) if normal.value != self.value => out.push(crate::Problem::new(
                crate::playbook::path_field(at, "value"),
                format!(
                    "{} {:?} is not normalised; use {:?}",
                    self.kind, self.value, normal.value
                ),
            )),
            Ok(_) => {}
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.namespace, &self.scope) {
            (Some(ns), _) => write!(f, "{}:{}:{}", self.kind, ns, self.value),
            (None, Some(scope)) => write!(f, "{}@{}:{}", self.kind, scope, self.value),
            (None, None) => write!(f, "{}:{}", self.kind, self.value),
        }
    }
}

fn non_empty(value: &str, field: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::at(
            ErrorKind::Validation,
            field,
            format!("{field} must not be empty, found {value:?}"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Normalises a phone number to E.164, default region CN.
fn normalise_phone(raw: &str) -> Result<String> {
    let invalid = || {
        Error::at(
            ErrorKind::Validation,
            "value",
            format!("invalid phone number {raw:?}"),
        )
    };
    if raw.trim().is_empty() || raw.len() > 64 {
        return Err(invalid());
    }
    let number =
        phonenumber::parse(Some(phonenumber::country::Id::CN), raw).map_err(|_| invalid())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Normalises an email address: trimmed, lower-cased, one `@`, a non-empty local part and a
/// dotted domain, no spaces.
fn normalise_email(raw: &str) -> Result<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(Error::at(
            ErrorKind::Validation,
            "value",
            format!("invalid email address {raw:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_e164_with_cn_default() {
        for raw in [
            "138 0013 8000",
            "13800138000",
            "+86 138-0013-8000",
            "+8613800138000",
            "008613800138000",
        ] {
            assert_eq!(
                Identity::phone(raw).unwrap().value,
                "+8613800138000",
                "{raw}"
            );
        }
        assert_eq!(
            Identity::phone("+1 650-253-0000").unwrap().value,
            "+16502530000"
        );
    }

    #[test]
    fn invalid_phones_are_errors_naming_the_value() {
        for raw in ["", "12345", "abc", "138001380001234567"] {
            let err = Identity::phone(raw).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            assert!(err.to_string().contains(&format!("{raw:?}")), "{err}");
        }
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Identity::email("  Li.Lei@Example.COM ").unwrap().value,
            "li.lei@example.com"
        );
        for raw in [
            "",
            "no-at.example.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "@c.com",
            "a@.com",
        ] {
            assert!(Identity::email(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn strength_follows_the_pin() {
        assert!(
            Identity::unionid("o6_bmasdasdsad6_2sgVt7hMZOPfL")
                .unwrap()
                .is_strong()
        );
        assert!(
            Identity::new(IdentityKind::WecomExternalUserid, "wmAAA", Some("corp1"))
                .unwrap()
                .is_strong()
        );
        assert!(
            !Identity::new(IdentityKind::WechatOpenid, "oAAA", Some("wx123"))
                .unwrap()
                .is_strong()
        );
        assert!(
            !Identity::new(IdentityKind::DouyinOpenid, "dAAA", Some("dy1"))
                .unwrap()
                .is_strong()
        );
        assert!(Identity::custom("erp", "42", true).unwrap().is_strong());
        assert!(!Identity::custom("erp", "42", false).unwrap().is_strong());
    }

    #[test]
    fn scoped_kinds_need_a_scope() {
        let err = Identity::new(IdentityKind::WechatOpenid, "oAAA", None).unwrap_err();
        assert_eq!(err.problems()[0].path, "scope");
    }
}
