"""Input payloads shared by the engineering tests (the issue's example and the reference cases)."""

from domain.engineering.examples import EMBEDMENT_EXAMPLE, POLE_EXAMPLE, SIGN_EXAMPLE, WIND_EXAMPLE

WIND = WIND_EXAMPLE
EMBEDMENT = EMBEDMENT_EXAMPLE
POLE = POLE_EXAMPLE
SIGN = SIGN_EXAMPLE
