"""HTTP wiring shared by every feature: dependencies and the router that assembles them."""
