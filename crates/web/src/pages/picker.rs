//! Choosing one organization (or nominee) out of many, without a script. A picker lists every
//! choice when there are few. Beyond that it lists only those whose name contains what was typed
//! in its search box (diacritics optional). Its search button sends the whole form: a filter
//! simply applies again; a form that saves is shown again, narrowed and with nothing saved, while
//! what was typed does not name the chosen one (see [`Picker::pending`] and [`shown_while_searching`]).

use axum::response::{IntoResponse, Response};
use thidua_core::org::OrgId;
use thidua_core::vi::{collation_key, fold};

use crate::error::Problem;
use crate::i18n::T;

/// Up to this many choices a picker lists them all.
pub const LIST_ALL: usize = 200;
/// A narrowed picker lists at most this many matches, the first in Vietnamese order.
pub const MATCHES: usize = 50;

/// What a picker chooses, for its hints: its i18n key is `picker.noun.<name>`.
#[derive(Debug, Clone, Copy)]
pub enum Noun {
    Org,
    Nominee,
}

/// A select of organizations (or nominees), with a search box when they are too many to list.
#[derive(Clone)]
pub struct Picker {
    /// The form field's name.
    pub field: &'static str,
    /// The select's id (the field's name unless two forms on a page pick the same field).
    pub id: String,
    /// Where the search button sends the form, when not where the form goes (a form that starts
    /// something elsewhere, on a page that lists its choices).
    pub find_at: Option<String>,
    /// `(value, name)` of the choices offered, in Vietnamese order.
    pub options: Vec<(String, String)>,
    pub selected: String,
    pub query: String,
    /// Whether an empty choice comes first (optional fields, filters).
    pub blank: bool,
    /// Whether the choices are too many to list, so the search box shows.
    pub narrowed: bool,
    /// What the narrowed list holds, beside the search box.
    pub hint: String,
    /// Whether a search is under way: something was typed that the chosen organization's name
    /// does not contain (or none is chosen). A form that saves shows itself again instead.
    pub pending: bool,
}

impl Picker {
    /// A picker of organizations (in any order) with `selected` (an id as sent) chosen and `query`
    /// typed in its search box. The chosen organization stays offered whatever was typed.
    pub fn orgs(t: T, field: &'static str, choices: Vec<(OrgId, String)>, selected: &str, query: &str) -> Picker {
        Picker::new(t, Noun::Org, field, choices.into_iter().map(|(o, n)| (o.0.to_string(), n)).collect(), selected, query)
    }

    /// A picker of `(value, name)` choices in any order.
    pub fn new(t: T, noun: Noun, field: &'static str, choices: Vec<(String, String)>, selected: &str, query: &str) -> Picker {
        let query = query.trim();
        let selected = selected.trim();
        let total = choices.len();
        let narrowed = total > LIST_ALL;
        let (shown, matched, keep_matches) = if narrowed {
            matching(choices, query, selected)
        } else {
            let mut all = choices;
            all.sort_by_cached_key(|(_, n)| collation_key(n));
            (all, total, true)
        };
        let noun = t.get(match noun {
            Noun::Org => "picker.noun.org",
            Noun::Nominee => "picker.noun.nominee",
        });
        let hint = match (narrowed, query.is_empty()) {
            (false, _) => String::new(),
            (true, true) => t.fmt("picker.type_to_find", &[("total", &t.int(&total)), ("noun", noun)]),
            (true, false) if matched == 0 => t.fmt("picker.none", &[("query", query), ("noun", noun)]),
            (true, false) if matched > MATCHES => t.fmt("picker.first", &[("matched", &t.int(&matched)), ("query", query), ("shown", &t.int(&MATCHES)), ("noun", noun)]),
            (true, false) => t.fmt("picker.matches", &[("matched", &t.int(&matched)), ("query", query), ("noun", noun)]),
        };
        Picker {
            field,
            id: field.to_owned(),
            find_at: None,
            options: shown,
            selected: selected.to_owned(),
            query: query.to_owned(),
            blank: false,
            narrowed,
            hint,
            pending: narrowed && !query.is_empty() && !keep_matches,
        }
    }

    /// The same picker with an empty first choice.
    pub fn with_blank(mut self) -> Picker {
        self.blank = true;
        self
    }

    /// The same picker under another id.
    pub fn with_id(mut self, id: &str) -> Picker {
        self.id = id.to_owned();
        self
    }

    /// The same picker, its search sent to `path`.
    pub fn finding_at(mut self, path: &str) -> Picker {
        self.find_at = Some(path.to_owned());
        self
    }

    pub fn is_selected(&self, value: &str) -> bool {
        self.selected == value
    }

    /// Whether there is nothing to choose from (the principal may act nowhere).
    pub fn is_empty(&self) -> bool {
        self.options.is_empty() && !self.narrowed
    }

    /// The name of the search box's parameter.
    pub fn query_field(&self) -> String {
        format!("{}_q", self.field)
    }
}

/// The choices whose folded name contains the folded query, at most [`MATCHES`] of them (the first
/// in Vietnamese order), with `keep` among them when it is a choice; how many matched in all, and
/// whether `keep` is a choice that matched. Without a query only `keep` is offered.
fn matching(choices: Vec<(String, String)>, query: &str, keep: &str) -> (Vec<(String, String)>, usize, bool) {
    let needle = fold(query);
    let mut kept = None;
    let mut keep_matches = false;
    let mut matched = 0;
    let mut found: Vec<(Vec<u32>, String, String)> = Vec::new();
    for (o, name) in choices {
        let hit = !needle.is_empty() && fold(&name).contains(&needle);
        matched += usize::from(hit);
        if o == keep {
            keep_matches = hit;
            kept = Some((collation_key(&name), o, name));
        } else if hit {
            found.push((collation_key(&name), o, name));
        }
    }
    if found.len() > MATCHES {
        found.select_nth_unstable_by(MATCHES - 1, |a, b| a.0.cmp(&b.0));
        found.truncate(MATCHES);
    }
    found.extend(kept);
    found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (found.into_iter().map(|(_, o, n)| (o, n)).collect(), matched, keep_matches)
}

/// A saving form sent while one of its pickers searches: when something was typed in a search
/// box (`typed`), the form is built again by `page`, and shown instead of saved if `pending` says
/// the search has not settled on a choice. `None`: go on and save.
pub async fn shown_while_searching<P: IntoResponse>(typed: &[&str], page: impl AsyncFnOnce() -> Result<P, Problem>, pending: impl FnOnce(&P) -> bool) -> Result<Option<Response>, Problem> {
    if typed.iter().all(|q| q.trim().is_empty()) {
        return Ok(None);
    }
    let page = page().await?;
    Ok(pending(&page).then(|| page.into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use thidua_core::vi::Lang;

    fn many(n: usize) -> Vec<(OrgId, String)> {
        (1..=n as i64).map(|i| (OrgId(i), format!("Chi bộ Khu phố {i}"))).collect()
    }

    #[test]
    fn few_choices_are_listed_whole_in_vietnamese_order() {
        let t = T::new(Lang::Vi);
        let choices = vec![(OrgId(1), "Đảng bộ phường Bến Thành".to_owned()), (OrgId(2), "Chi bộ Ấp 1".to_owned()), (OrgId(3), "Chi bộ An Lạc".to_owned())];
        let p = Picker::orgs(t, "org", choices, "2", "ignored");
        assert!(!p.narrowed);
        let names: Vec<&str> = p.options.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["Chi bộ An Lạc", "Chi bộ Ấp 1", "Đảng bộ phường Bến Thành"]);
        assert!(p.is_selected("2"));
        assert!(p.hint.is_empty());
    }

    #[test]
    fn many_choices_list_only_matches_and_the_chosen_one() {
        let t = T::new(Lang::Vi);
        let mut choices = many(LIST_ALL * 3);
        choices.push((OrgId(9_999), "Đảng bộ Phường Tân Định".to_owned()));
        // Without a query only the chosen one is offered; the hint says how many there are.
        let p = Picker::orgs(t, "org", choices.clone(), "7", "");
        assert!(p.narrowed);
        assert_eq!(p.options, vec![("7".to_owned(), "Chi bộ Khu phố 7".to_owned())]);
        assert!(p.hint.contains("601"), "{}", p.hint);
        // Diacritics are optional in the query.
        let p = Picker::orgs(t, "org", choices.clone(), "", "tan dinh");
        assert_eq!(p.options, vec![("9999".to_owned(), "Đảng bộ Phường Tân Định".to_owned())]);
        assert!(p.hint.contains("1 đơn vị"), "{}", p.hint);
        // A broad query offers the first matches in order, plus the chosen one beyond them.
        let p = Picker::orgs(t, "org", choices.clone(), "599", "khu pho");
        assert_eq!(p.options.len(), MATCHES + 1);
        assert!(p.options.iter().any(|(v, _)| v == "599"));
        assert_eq!(p.options[0].1, "Chi bộ Khu phố 1");
        assert!(p.hint.contains("600") && p.hint.contains("50"), "{}", p.hint);
        assert!(!p.pending, "the chosen one matches what was typed");
        let p = Picker::orgs(t, "org", choices.clone(), "599", "tan dinh");
        assert!(p.pending, "what was typed does not name the chosen one");
        assert_eq!(p.options.len(), 2);
        // Nothing matches.
        let p = Picker::orgs(t, "org", choices, "", "zzz");
        assert!(p.options.is_empty() && !p.is_empty() && p.pending);
        assert!(p.hint.contains("zzz"), "{}", p.hint);
    }
}
