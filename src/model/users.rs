//! Users served, like for like with ChatGPT's published weekly users: the fleet's
//! requests per day (input and output tokens counted), provisioned for the peak rather
//! than the average hour, divided by the tokens a weekly user consumes per day (messages
//! per weekly user per day × tokens per request). A result above the world's online
//! population is flagged, so no output claims more users than there are people online.

use serde::Serialize;

use super::assumptions::Assumptions;
use super::range::Range;

/// ChatGPT weekly active users, the yardstick (OpenAI statements, 2025).
pub const CHATGPT_WEEKLY_USERS: [(&str, f64); 2] = [("2025-08", 700e6), ("2025-10", 800e6)];

const SECONDS_PER_DAY: f64 = 86_400.0;

/// One comparison with ChatGPT's weekly users.
#[derive(Debug, Clone, Serialize)]
pub struct ChatGptComparison {
    pub date: &'static str,
    pub weekly_users: f64,
    pub ratio: Range,
}

/// Who a fleet's serving share could serve.
#[derive(Debug, Clone, Serialize)]
pub struct Users {
    /// Weekly active users at ChatGPT's usage per weekly user.
    pub weekly_equivalents: Range,
    /// Tokens (input + output) a weekly user consumes per day.
    pub tokens_per_user_day: f64,
    pub online_population: f64,
    /// True when the central figure exceeds the world's online population.
    pub exceeds_online_population: bool,
    /// True when the high end does (the central figure may not).
    pub high_exceeds_online_population: bool,
    pub vs_chatgpt_weekly: Vec<ChatGptComparison>,
}

impl Users {
    /// The central figure in words, or how far past the online population it lies.
    pub fn describe(&self) -> String {
        let c = self.weekly_equivalents.central;
        if self.exceeds_online_population {
            format!(
                "more than everyone online: {:.1}x the world's {} internet users",
                c / self.online_population,
                super::units::si(self.online_population)
            )
        } else {
            format!(
                "{} weekly users ({}x ChatGPT's {} of {})",
                super::units::si(c),
                super::units::sig3(c / CHATGPT_WEEKLY_USERS[1].1),
                super::units::si(CHATGPT_WEEKLY_USERS[1].1),
                CHATGPT_WEEKLY_USERS[1].0
            )
        }
    }
}

/// Users a fleet serving `requests_per_s` supports.
pub fn served(requests_per_s: Range, a: &Assumptions) -> Users {
    let tokens_per_request = a.context_tokens().value;
    let per_user = a.tokens_per_user_day().value;
    let average_tokens_per_day = requests_per_s
        .scale(tokens_per_request * SECONDS_PER_DAY)
        .per(a.peak_to_average.value);
    let weekly_equivalents = average_tokens_per_day.scale(1.0 / per_user);
    Users {
        weekly_equivalents,
        tokens_per_user_day: per_user,
        online_population: a.online_population.value,
        exceeds_online_population: weekly_equivalents.central > a.online_population.value,
        high_exceeds_online_population: weekly_equivalents.high > a.online_population.value,
        vs_chatgpt_weekly: CHATGPT_WEEKLY_USERS
            .iter()
            .map(|(date, users)| ChatGptComparison {
                date,
                weekly_users: *users,
                ratio: weekly_equivalents.scale(1.0 / users),
            })
            .collect(),
    }
}
