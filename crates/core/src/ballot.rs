//! Secret ballots (bỏ phiếu kín): what a ballot may say for each kind of question, and the tally —
//! valid, invalid and blank ballots, quorum and approval thresholds compared exactly as fractions.
//!
//! Secrecy is the store's and the app's concern (ballots kept apart from who voted); this module
//! only counts.

use serde::{Deserialize, Serialize};

/// Fewer ballots than this are never shown counted: with one ballot, the result is the vote.
pub const MIN_BALLOTS_SHOWN: u32 = 2;

/// How ballots are cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Each voter casts a ballot with their account; absent members' written votes are entered
    /// by the secretary.
    Electronic,
    /// Paper ballots, entered one by one by the count committee (tổ kiểm phiếu).
    Paper,
}

/// Where a poll stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Prepared, not yet open: options and electorate can still be checked.
    Draft,
    Open,
    Closed,
}

macro_rules! codes {
    ($t:ty { $($v:ident => $c:literal),+ $(,)? }) => {
        impl $t {
            pub fn code(self) -> &'static str {
                match self { $(Self::$v => $c),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($c => Some(Self::$v),)+ _ => None }
            }
        }
    };
}

codes!(Mode { Electronic => "electronic", Paper => "paper" });
codes!(Status { Draft => "draft", Open => "open", Closed => "closed" });

/// What the electorate is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Question {
    /// Choose one option, e.g. the leading unit to propose for the flag (Cờ thi đua).
    ChooseOne,
    /// Approve or reject each nominee.
    ApproveEach,
    /// Choose up to `max` of the options.
    ChooseUpTo { max: u16 },
}

impl Question {
    pub fn code(self) -> &'static str {
        match self {
            Question::ChooseOne => "choose_one",
            Question::ApproveEach => "approve_each",
            Question::ChooseUpTo { .. } => "choose_up_to",
        }
    }
}

/// What a threshold is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// Everyone entitled to vote, present or not (e.g. "≥ 90% of all council members").
    #[default]
    Electorate,
    /// Every ballot cast, valid or not.
    Cast,
    /// Valid ballots only.
    Valid,
}

impl Base {
    pub fn code(self) -> &'static str {
        match self {
            Base::Electorate => "electorate",
            Base::Cast => "cast",
            Base::Valid => "valid",
        }
    }

    pub fn from_code(code: &str) -> Option<Base> {
        [Base::Electorate, Base::Cast, Base::Valid].into_iter().find(|b| b.code() == code)
    }
}

/// A share as the rules write it: "at least 90%" (9/10), "at least two thirds" (2/3), "more than
/// half" (1/2, strict). Compared exactly: 899 of 1000 does not reach 90%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub num: u32,
    pub den: u32,
    /// "More than" rather than "at least".
    #[serde(default)]
    pub strict: bool,
}

impl Share {
    pub fn percent(pct: u32) -> Share {
        Share { num: pct, den: 100, strict: false }
    }

    pub fn is_valid(&self) -> bool {
        self.den > 0 && self.num <= self.den
    }

    /// Whether `count` out of `of` reaches the share.
    pub fn reached(&self, count: u32, of: u32) -> bool {
        let (l, r) = (u64::from(count) * u64::from(self.den), u64::from(self.num) * u64::from(of));
        if self.strict { l > r } else { l >= r }
    }

    /// Reads a share as typed: `90%`, `90`, `2/3`, `≥ 2/3`, `> 1/2` (strict), `>50%`.
    pub fn parse(text: &str) -> Option<Share> {
        let t = text.trim();
        let (strict, rest) = match t.strip_prefix('>') {
            Some(r) => (true, r),
            None => (false, t.strip_prefix('≥').or_else(|| t.strip_prefix(">=")).unwrap_or(t)),
        };
        let rest = rest.trim().trim_end_matches('%').trim();
        let share = match rest.split_once('/') {
            Some((n, d)) => Share { num: n.trim().parse().ok()?, den: d.trim().parse().ok()?, strict },
            None => Share { num: rest.parse().ok()?, den: 100, strict },
        };
        share.is_valid().then_some(share)
    }

    /// `≥ 90%`, `≥ 2/3`, `> 1/2`.
    pub fn label(&self) -> String {
        let sign = if self.strict { ">" } else { "≥" };
        if self.den > 0 && 100 % self.den == 0 {
            format!("{sign} {}%", self.num * (100 / self.den))
        } else {
            format!("{sign} {}/{}", self.num, self.den)
        }
    }
}

/// "At least a share of a base": 9/10 of the electorate is 90% of all members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub share: Share,
    pub base: Base,
}

/// The marks on one ballot. Options are numbered from 0 in the order the poll lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "marks", rename_all = "snake_case")]
pub enum Marks {
    /// The options ticked (choose one, choose up to N).
    Chosen { options: Vec<u16> },
    /// For each option: approve, reject, or left blank.
    Approvals { votes: Vec<Option<bool>> },
    /// A paper ballot the count committee found spoilt.
    Spoilt,
}

/// How a ballot counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Valid,
    /// Phiếu trắng: cast, but marks nothing.
    Blank,
    Invalid,
}

/// A poll as the tally needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub question: Question,
    pub options: u16,
    pub electorate: u32,
    /// Share of the electorate that must cast a ballot for the poll to decide anything.
    pub quorum: Share,
    pub threshold: Threshold,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    #[error("a poll needs at least one option")]
    NoOptions,
    #[error("a poll has at most 200 options")]
    TooManyOptions,
    #[error("choosing one needs at least two options")]
    OneOption,
    #[error("up to {max} of {options}: the maximum must be between 1 and the number of options")]
    Max { max: u16, options: u16 },
    #[error("the electorate is empty")]
    NoElectorate,
    #[error("quorum and threshold are shares between 0 and 1")]
    Share,
    #[error("a threshold of 0 would adopt options nobody chose")]
    ZeroThreshold,
}

impl Poll {
    pub fn validate(&self) -> Result<(), PollError> {
        if self.options == 0 {
            return Err(PollError::NoOptions);
        }
        if self.options > 200 {
            return Err(PollError::TooManyOptions);
        }
        match self.question {
            Question::ChooseOne if self.options < 2 => return Err(PollError::OneOption),
            Question::ChooseUpTo { max } if max == 0 || max > self.options => return Err(PollError::Max { max, options: self.options }),
            _ => {}
        }
        if self.electorate == 0 {
            return Err(PollError::NoElectorate);
        }
        if !self.quorum.is_valid() || !self.threshold.share.is_valid() {
            return Err(PollError::Share);
        }
        if self.threshold.share.num == 0 {
            return Err(PollError::ZeroThreshold);
        }
        Ok(())
    }

    /// How a ballot counts for this question.
    pub fn validity(&self, marks: &Marks) -> Validity {
        let in_range = |o: &u16| *o < self.options;
        match (self.question, marks) {
            (_, Marks::Spoilt) => Validity::Invalid,
            (Question::ChooseOne | Question::ChooseUpTo { .. }, Marks::Chosen { options }) => {
                let mut sorted = options.clone();
                sorted.sort_unstable();
                sorted.dedup();
                let max = match self.question {
                    Question::ChooseUpTo { max } => usize::from(max),
                    _ => 1,
                };
                if sorted.len() != options.len() || !options.iter().all(in_range) || options.len() > max {
                    Validity::Invalid
                } else if options.is_empty() {
                    Validity::Blank
                } else {
                    Validity::Valid
                }
            }
            (Question::ApproveEach, Marks::Approvals { votes }) => {
                if votes.len() != usize::from(self.options) {
                    Validity::Invalid
                } else if votes.iter().all(Option::is_none) {
                    Validity::Blank
                } else {
                    Validity::Valid
                }
            }
            _ => Validity::Invalid,
        }
    }
}

/// One option's count and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionResult {
    /// Ticked, or approved.
    pub yes: u32,
    /// Rejected (approve-each only).
    pub no: u32,
    pub reaches_threshold: bool,
    /// Adopted: reaches the threshold, the quorum is met, and (choose one / up to N) it is among
    /// the most voted without a tie at the cut.
    pub adopted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub electorate: u32,
    pub cast: u32,
    pub valid: u32,
    pub blank: u32,
    pub invalid: u32,
    pub quorum_met: bool,
    pub options: Vec<OptionResult>,
    /// Options tied at the cut for a place, left undecided (a new round of voting decides them).
    pub tied: Vec<u16>,
}

/// Counts the ballots. The tally is a function of the multiset of ballots: their order does not
/// matter.
pub fn tally(poll: &Poll, ballots: &[Marks]) -> Tally {
    let mut t = Tally {
        electorate: poll.electorate,
        cast: u32::try_from(ballots.len()).unwrap_or(u32::MAX),
        valid: 0,
        blank: 0,
        invalid: 0,
        quorum_met: false,
        options: (0..poll.options).map(|_| OptionResult { yes: 0, no: 0, reaches_threshold: false, adopted: false }).collect(),
        tied: Vec::new(),
    };
    for b in ballots {
        match poll.validity(b) {
            Validity::Invalid => t.invalid += 1,
            Validity::Blank => t.blank += 1,
            Validity::Valid => {
                t.valid += 1;
                match b {
                    Marks::Chosen { options } => options.iter().for_each(|o| t.options[usize::from(*o)].yes += 1),
                    Marks::Approvals { votes } => {
                        for (i, v) in votes.iter().enumerate() {
                            match v {
                                Some(true) => t.options[i].yes += 1,
                                Some(false) => t.options[i].no += 1,
                                None => {}
                            }
                        }
                    }
                    Marks::Spoilt => {}
                }
            }
        }
    }
    t.quorum_met = poll.quorum.reached(t.cast, poll.electorate);
    let base = match poll.threshold.base {
        Base::Electorate => poll.electorate,
        Base::Cast => t.cast,
        Base::Valid => t.valid,
    };
    for o in &mut t.options {
        // Nothing is adopted without a vote for it, whatever the threshold.
        o.reaches_threshold = o.yes > 0 && base > 0 && poll.threshold.share.reached(o.yes, base);
    }
    if !t.quorum_met {
        return t;
    }
    let places = match poll.question {
        Question::ApproveEach => {
            for o in &mut t.options {
                o.adopted = o.reaches_threshold;
            }
            return t;
        }
        Question::ChooseOne => 1,
        Question::ChooseUpTo { max } => usize::from(max),
    };
    // The most voted among those reaching the threshold take the places; a tie at the cut leaves
    // the tied options undecided.
    let mut eligible: Vec<(u16, u32)> = t.options.iter().enumerate().filter(|(_, o)| o.reaches_threshold).map(|(i, o)| (i as u16, o.yes)).collect();
    eligible.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let adopted: Vec<u16> = if eligible.len() <= places {
        eligible.iter().map(|e| e.0).collect()
    } else {
        let cut = eligible[places - 1].1;
        if eligible[places].1 == cut {
            t.tied = eligible.iter().filter(|e| e.1 == cut).map(|e| e.0).collect();
            eligible.iter().filter(|e| e.1 > cut).map(|e| e.0).collect()
        } else {
            eligible.iter().take(places).map(|e| e.0).collect()
        }
    };
    for i in adopted {
        t.options[usize::from(i)].adopted = true;
    }
    t
}

/// Whether a tally may be shown: after the poll is closed, and only with enough ballots that no
/// single vote can be read from it — also by the secretary, who knows the `entered` written votes
/// of absent members: the ballots cast by voters themselves must not be exactly one.
pub fn may_show(closed: bool, cast: u32, entered: u32) -> bool {
    closed && cast >= MIN_BALLOTS_SHOWN && cast.saturating_sub(entered) != 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn poll(question: Question, options: u16, electorate: u32, pct: u32, base: Base) -> Poll {
        Poll { question, options, electorate, quorum: Share::percent(50), threshold: Threshold { share: Share::percent(pct), base } }
    }

    fn chosen(o: &[u16]) -> Marks {
        Marks::Chosen { options: o.to_vec() }
    }

    #[test]
    fn ballots_are_valid_blank_or_invalid_by_question() {
        let one = poll(Question::ChooseOne, 3, 10, 50, Base::Valid);
        assert_eq!(one.validity(&chosen(&[1])), Validity::Valid);
        assert_eq!(one.validity(&chosen(&[])), Validity::Blank);
        assert_eq!(one.validity(&chosen(&[0, 1])), Validity::Invalid);
        assert_eq!(one.validity(&chosen(&[3])), Validity::Invalid);
        assert_eq!(one.validity(&Marks::Spoilt), Validity::Invalid);
        let upto = poll(Question::ChooseUpTo { max: 2 }, 4, 10, 50, Base::Valid);
        assert_eq!(upto.validity(&chosen(&[0, 3])), Validity::Valid);
        assert_eq!(upto.validity(&chosen(&[0, 0])), Validity::Invalid);
        assert_eq!(upto.validity(&chosen(&[0, 1, 2])), Validity::Invalid);
        let each = poll(Question::ApproveEach, 2, 10, 50, Base::Valid);
        assert_eq!(each.validity(&Marks::Approvals { votes: vec![Some(true), None] }), Validity::Valid);
        assert_eq!(each.validity(&Marks::Approvals { votes: vec![None, None] }), Validity::Blank);
        assert_eq!(each.validity(&Marks::Approvals { votes: vec![Some(true)] }), Validity::Invalid);
        assert_eq!(each.validity(&chosen(&[0])), Validity::Invalid);
        assert_eq!(poll(Question::ChooseUpTo { max: 5 }, 4, 10, 0, Base::Valid).validate(), Err(PollError::Max { max: 5, options: 4 }));
        assert_eq!(poll(Question::ChooseOne, 1, 10, 50, Base::Valid).validate(), Err(PollError::OneOption));
        assert_eq!(poll(Question::ChooseOne, 2, 10, 0, Base::Valid).validate(), Err(PollError::ZeroThreshold));
    }

    #[test]
    fn thresholds_hold_exactly_at_their_boundary() {
        // 90% of all 1000 council members: 900 approve, 899 do not.
        let council = Poll { question: Question::ApproveEach, options: 2, electorate: 1000, quorum: Share::percent(0), threshold: Threshold { share: Share::percent(90), base: Base::Electorate } };
        let mut ballots = vec![Marks::Approvals { votes: vec![Some(true), Some(true)] }; 899];
        ballots.push(Marks::Approvals { votes: vec![Some(true), Some(false)] });
        let t = tally(&council, &ballots);
        assert_eq!((t.options[0].yes, t.options[1].yes), (900, 899));
        assert!(t.options[0].adopted, "900 of 1000 is 90%");
        assert!(!t.options[1].adopted, "899 of 1000 is 89.9%");
        assert!(Share::percent(90).reached(9, 10) && !Share::percent(90).reached(8, 10));
        let more_than_half = Share { num: 1, den: 2, strict: true };
        assert!(!more_than_half.reached(5, 10) && more_than_half.reached(6, 10));
        assert_eq!((more_than_half.label(), Share::percent(90).label(), Share { num: 2, den: 3, strict: false }.label()), ("> 50%".into(), "≥ 90%".into(), "≥ 2/3".into()));
        for (typed, share) in [("90%", Share::percent(90)), ("≥ 2/3", Share { num: 2, den: 3, strict: false }), ("> 1/2", more_than_half), (" 75 ", Share::percent(75))] {
            assert_eq!(Share::parse(typed), Some(share), "{typed}");
            assert_eq!(Share::parse(&share.label()), Some(share).map(|s| if s.den == 2 { Share { num: 50, den: 100, strict: true } } else { s }));
        }
        assert_eq!(Share::parse("3/2"), None);
        assert_eq!(Share::parse("1/0"), None);
        // Absent members count against an electorate threshold, not against a share of valid ballots.
        let of_valid = Poll { threshold: Threshold { share: Share::percent(90), base: Base::Valid }, ..council.clone() };
        let few = vec![Marks::Approvals { votes: vec![Some(true), None] }; 9];
        assert!(!tally(&council, &few).options[0].adopted);
        let mut quorum = of_valid.clone();
        quorum.quorum = Share::percent(0);
        assert!(tally(&quorum, &few).options[0].adopted);
        // Quorum: two thirds of 9 is 6 ballots; 5 decide nothing.
        let q = Poll { question: Question::ChooseOne, options: 2, electorate: 9, quorum: Share { num: 2, den: 3, strict: false }, threshold: Threshold { share: Share::percent(50), base: Base::Valid } };
        assert!(!tally(&q, &vec![chosen(&[0]); 5]).quorum_met);
        assert!(!tally(&q, &vec![chosen(&[0]); 5]).options[0].adopted);
        assert!(tally(&q, &vec![chosen(&[0]); 6]).quorum_met, "6 of 9 is two thirds");
    }

    #[test]
    fn the_most_voted_win_and_ties_at_the_cut_stay_undecided() {
        let one = poll(Question::ChooseOne, 3, 6, 0, Base::Valid);
        let t = tally(&one, &[chosen(&[0]), chosen(&[0]), chosen(&[1]), chosen(&[]), Marks::Spoilt, chosen(&[2])]);
        assert_eq!((t.valid, t.blank, t.invalid, t.cast), (4, 1, 1, 6));
        assert_eq!(t.options.iter().map(|o| o.adopted).collect::<Vec<_>>(), [true, false, false]);
        let tie = tally(&one, &[chosen(&[0]), chosen(&[1]), chosen(&[0]), chosen(&[1])]);
        assert!(tie.options.iter().all(|o| !o.adopted));
        assert_eq!(tie.tied, [0, 1]);
        let two = poll(Question::ChooseUpTo { max: 2 }, 4, 6, 0, Base::Valid);
        let t = tally(&two, &[chosen(&[0, 1]), chosen(&[0, 2]), chosen(&[0, 1]), chosen(&[3])]);
        assert_eq!(t.options.iter().map(|o| o.adopted).collect::<Vec<_>>(), [true, true, false, false]);
        let t = tally(&two, &[chosen(&[0, 1]), chosen(&[0, 2]), chosen(&[3])]);
        assert_eq!(t.options.iter().map(|o| o.adopted).collect::<Vec<_>>(), [true, false, false, false], "1, 2 and 3 tie for the second place");
        assert_eq!(t.tied, [1, 2, 3]);
        assert!(!may_show(false, 10, 0) && !may_show(true, 1, 0) && may_show(true, 2, 0));
        assert!(!may_show(true, 3, 2), "one ballot of the voters' own beside two the secretary entered");
        assert!(may_show(true, 3, 3) && may_show(true, 4, 2));
    }

    fn any_marks(options: u16) -> impl Strategy<Value = Marks> {
        prop_oneof![
            proptest::collection::vec(0..options + 1, 0..4).prop_map(|o| Marks::Chosen { options: o }),
            proptest::collection::vec(proptest::option::of(any::<bool>()), 0..(usize::from(options) + 2)).prop_map(|v| Marks::Approvals { votes: v }),
            Just(Marks::Spoilt),
        ]
    }

    proptest! {
        #[test]
        fn the_tally_counts_each_valid_ballot_once_in_any_order(
            kind in 0u8..3, options in 2u16..6, ballots in proptest::collection::vec(any_marks(5), 0..40), seed in any::<u64>(),
        ) {
            let question = match kind { 0 => Question::ChooseOne, 1 => Question::ApproveEach, _ => Question::ChooseUpTo { max: 2 } };
            let p = poll(question, options, 50, 50, Base::Valid);
            let t = tally(&p, &ballots);
            prop_assert_eq!(t.valid + t.blank + t.invalid, t.cast);
            for (i, o) in t.options.iter().enumerate() {
                let expected = ballots.iter().filter(|b| p.validity(b) == Validity::Valid).filter(|b| match b {
                    Marks::Chosen { options } => options.contains(&(i as u16)),
                    Marks::Approvals { votes } => votes[i] == Some(true),
                    Marks::Spoilt => false,
                }).count() as u32;
                prop_assert_eq!(o.yes, expected);
            }
            let mut shuffled = ballots.clone();
            let mut x = seed;
            for i in (1..shuffled.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (x >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(tally(&p, &shuffled), t.clone());
            let places = match question { Question::ChooseOne => 1, Question::ChooseUpTo { max } => usize::from(max), Question::ApproveEach => usize::MAX };
            prop_assert!(t.options.iter().filter(|o| o.adopted).count() <= places);
        }
    }
}
