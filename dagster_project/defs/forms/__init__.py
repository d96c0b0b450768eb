"""The forms collectors fill, published to the survey platform."""
