"""The staff panel's views (/staff/), one module per area. A view parses input, calls one service
or selector, and renders; what several areas share is in common.py."""
