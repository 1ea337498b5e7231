//! DNS-SD sharing of the queues. `wide_area`: publishing them in a unicast domain.

pub mod wide_area;
