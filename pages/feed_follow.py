"""One tab's place in the shared job feed (``domain.jobs.feed.JobFeed``): subscribed, and its
draw timer running, only while the tab is visible and connected; a tab that comes back gets the
current list at once. The job monitor and the project page's reports panel both follow the feed
this way."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from domain.jobs.feed import FeedSnapshot, JobFeed, Subscription
from domain.jobs.schemas import JobQuery
from pages.visibility import watch_visibility


class FeedFollow:
    def __init__(
        self,
        feed: JobFeed | None,
        query: Callable[[], JobQuery],
        deliver: Callable[[FeedSnapshot], None],
    ) -> None:
        self.feed = feed
        self.query = query
        self.deliver = deliver
        self.subscription: Subscription | None = None
        self.visible = True
        self.timer: ui.timer | None = None

    def attach(self, timer: ui.timer, *, follow: bool = True) -> None:
        """Follow the feed in the current client (from now, or from :meth:`follow` when the page
        has more to load first): ``timer`` draws what the feed delivered."""
        self.timer = timer
        client = ui.context.client
        watch_visibility(self.on_visibility)
        client.on_disconnect(self.stop)
        client.on_delete(self.stop)
        client.on_connect(self.resume)
        if follow:
            self.follow()

    def follow(self) -> None:
        if self.feed is None:
            return
        if self.subscription is None or self.subscription.closed:
            self.subscription = self.feed.subscribe(self.query(), self.deliver)
        if self.timer is not None:
            self.timer.activate()

    def stop(self) -> None:
        """Hidden or gone: no timer, no place in the feed."""
        if self.timer is not None:
            self.timer.deactivate()
        self.unsubscribe()

    def unsubscribe(self) -> None:
        if self.subscription is not None:
            self.subscription.close()
            self.subscription = None

    def requery(self) -> None:
        """The tab's query changed: a new subscription (at once when visible)."""
        self.unsubscribe()
        if self.visible:
            self.follow()

    def resume(self) -> None:
        if self.visible:
            self.follow()

    def on_visibility(self, visible: bool) -> None:
        self.visible = visible
        if visible:
            self.follow()
        else:
            self.stop()

    def refresh_soon(self) -> None:
        """After this tab changed a job: the next poll comes now, not at the interval."""
        if self.feed is not None:
            self.feed.refresh_soon()
