//! The one i18n mechanism: a catalog per language (`i18n/vi.txt`, `i18n/en.txt`, embedded), the
//! language chosen per request, and `T`, the handle templates and error messages use.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use jiff::civil::Date;
use thidua_core::vi::{format_int, format_percent};

pub use thidua_core::vi::Lang;

const VI: &str = include_str!("../i18n/vi.txt");
const EN: &str = include_str!("../i18n/en.txt");

pub(crate) const LANG_COOKIE: &str = "thidua_lang";

fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalog(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static VI_MAP: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_MAP: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Vi => VI_MAP.get_or_init(|| parse(VI)),
        Lang::En => EN_MAP.get_or_init(|| parse(EN)),
    }
}

/// Keys of one language's catalog, for the test that keeps the catalogs in step.
pub fn catalog_keys(lang: Lang) -> Vec<&'static str> {
    let mut keys: Vec<&str> = catalog(lang).keys().copied().collect();
    keys.sort_unstable();
    keys
}

/// Text in the request's language.
#[derive(Debug, Clone, Copy, Default)]
pub struct T {
    pub lang: Lang,
}

impl T {
    pub fn new(lang: Lang) -> T {
        T { lang }
    }

    /// The text for `key`; the key itself when missing, which the catalog test prevents.
    pub fn get(&self, key: &str) -> &'static str {
        catalog(self.lang).get(key).copied().unwrap_or_else(|| {
            tracing::warn!(key, "missing UI text");
            ""
        })
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.get(key).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// `dd/mm/yyyy`, in both languages: that is how the documents write dates.
    pub fn date(&self, date: &Date) -> String {
        thidua_core::date::format_date(*date)
    }

    pub fn int(&self, n: &usize) -> String {
        format_int(i64::try_from(*n).unwrap_or(i64::MAX), self.lang)
    }

    pub fn percent(&self, numerator: i64, denominator: i64) -> String {
        format_percent(numerator, denominator, self.lang).unwrap_or_else(|| "–".into())
    }
}

/// The request's language: `?lang=` first, then the language cookie; Vietnamese otherwise. Pages
/// ignore `Accept-Language`, since many officers' browsers run in English while they work in
/// Vietnamese; API clients negotiate with it.
impl<S: Send + Sync> FromRequestParts<S> for T {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<T, Self::Rejection> {
        Ok(T::new(lang_of(parts)))
    }
}

pub(crate) fn lang_of(parts: &Parts) -> Lang {
    let from_query = parts.uri.query().and_then(|q| {
        q.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == "lang").and_then(|(_, v)| Lang::from_code(v))
    });
    let from_cookie = || {
        parts.headers.get_all(COOKIE).iter().filter_map(|h| h.to_str().ok()).flat_map(|h| h.split(';')).find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            if k == LANG_COOKIE { Lang::from_code(v) } else { None }
        })
    };
    let from_header = || {
        if !parts.uri.path().starts_with("/api/") {
            return None;
        }
        let header = parts.headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
        header.split(',').find_map(|item| {
            let tag = item.split(';').next()?.trim().to_ascii_lowercase();
            if tag.starts_with("vi") {
                Some(Lang::Vi)
            } else if tag.starts_with("en") {
                Some(Lang::En)
            } else {
                None
            }
        })
    };
    from_query.or_else(from_cookie).or_else(from_header).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_written_twice() {
        for text in [VI, EN] {
            let mut seen = std::collections::HashSet::new();
            for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
                if let Some((k, _)) = line.split_once(" = ") {
                    assert!(seen.insert(k.trim()), "{} is written twice: the later text hides the earlier", k.trim());
                }
            }
        }
    }

    #[test]
    fn catalogs_have_the_same_keys_and_no_empty_text() {
        assert_eq!(catalog_keys(Lang::Vi), catalog_keys(Lang::En));
        for lang in [Lang::Vi, Lang::En] {
            for (k, v) in catalog(lang) {
                assert!(!v.is_empty(), "{k} is empty in {lang:?}");
            }
        }
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut sources = Vec::new();
        for dir in ["src", "src/pages", "src/api", "templates"] {
            for entry in std::fs::read_dir(format!("{root}{dir}")).expect("readable dir") {
                let path = entry.expect("entry").path();
                if path.is_file() {
                    sources.push((path.clone(), std::fs::read_to_string(&path).expect("utf-8 source")));
                }
            }
        }
        let known = catalog_keys(Lang::Vi);
        let mut used = 0;
        for (path, text) in &sources {
            for call in ["t.get(\"", "t.fmt(\"", "key: \""] {
                for piece in text.split(call).skip(1) {
                    let key = piece.split('"').next().unwrap_or_default();
                    if key.contains('{') || key.ends_with('.') {
                        continue; // a key built at run time; its parts are checked where they are listed
                    }
                    used += 1;
                    assert!(known.contains(&key), "{} uses unknown key {key:?}", path.display());
                }
            }
        }
        assert!(used > 50, "found only {used} uses: the scan is broken");
    }

    #[test]
    fn vietnamese_text_is_written_with_diacritics() {
        // A catalog typed without diacritics would still pass the key test; catch it here.
        let vi = catalog(Lang::Vi);
        assert_eq!(vi.get("nav.orgs").copied(), Some("Tổ chức"));
        let with_marks = vi.values().filter(|v| !v.is_ascii()).count();
        assert!(with_marks * 10 >= vi.len() * 9, "{with_marks} of {} texts carry Vietnamese letters", vi.len());
    }
}
