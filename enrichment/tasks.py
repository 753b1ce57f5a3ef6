def enqueue_session(session) -> None:
    pass
