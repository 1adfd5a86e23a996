"""The real dataplane driver (``driver.LinuxBridgeDriver``) and its Linux
parts: links, layer 2, port filters."""
