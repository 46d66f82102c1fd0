"""Track and measure: the cube, response times and the SLA, rankings, terms, spikes."""
