"""The report's appendix: how each number is computed, in plain words.

Kept beside the code it describes (enrich/store.py, dashboard/analytics.py,
dashboard/spikes.py, dashboard/terms.py); change both together.
"""

from __future__ import annotations

METHOD: tuple[tuple[str, str], ...] = (
    (
        "Sentiment",
        "Each mention is scored by VADER, a lexicon and rule-based scorer for social media "
        "text, giving a compound score from -1 (most negative) to +1 (most positive). A "
        "compound of +0.05 or more is positive, -0.05 or less negative, and neutral in "
        "between. An analyst's correction always replaces the score. Net sentiment is the "
        "share of positive minus the share of negative scored mentions, in points.",
    ),
    (
        "Priority",
        "Priority (0-100) orders the inbox: 40 × negativity + 25 × reach + 25 × waiting + "
        "10 × urgent. Negativity is how negative the score is, reach grows with the "
        "logarithm of the author's followers (1 million is full reach), waiting means "
        "nobody has answered a new or open mention yet, and urgent means a complaint or a "
        "churn risk was detected.",
    ),
    (
        "Response time and SLA",
        "The first-response time is the wall-clock time from the post to our first reply, "
        "which is what the customer waited. The SLA counts business hours only, so a "
        "post on Friday evening answered on Monday morning can be within it. The backlog "
        "is the number of mentions awaiting a first reply at the end of each day; "
        "mentions closed without a reply (resolved, ignored, spam) never count as waiting.",
    ),
    (
        "Spikes and incidents",
        "Each alert rule counts mentions per hour (all of them, or the negative ones per "
        "topic). An hour's baseline is the mean of the same hour on the 14 previous days, "
        "so a daily peak is not a spike. It spikes when it is at least 6 standard "
        "deviations (floored by the square root of the mean) above the baseline, at least "
        "3 times the baseline and above a minimum count. Spiking hours at most six quiet "
        "hours apart form one incident, reported once.",
    ),
    (
        "Share of voice and rising terms",
        "Share of voice is each entity's share of the mentions of the brand (its brand and "
        "product topics) and its competitors. A term rises when its smoothed share of "
        "mentions grows against the previous period of the same length; each mention "
        "counts a word or a two-word phrase once, and the counts shown are exact.",
    ),
    (
        "Periods",
        "Days are UTC calendar days. The previous period is the same number of days just "
        "before the reported one. The figures are those of the dashboard for the same "
        "range and topic.",
    ),
)
