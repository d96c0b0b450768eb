"""Child-labour cases: the case register, the case list the follow-up form reads, the follow-up visits."""
