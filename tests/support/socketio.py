"""A socket.io client as the web widget speaks to Rasa: Engine.IO 4 /
Socket.IO 5 over a WebSocket (the `websockets` package Rasa's web server
brings), just enough to join a session and send messages."""

from __future__ import annotations

import asyncio
import json
from typing import Any


class SocketIOClient:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @classmethod
    async def connect(cls, server: str, origin: str) -> SocketIOClient:
        """The Engine.IO handshake done and a Socket.IO CONNECT sent; the
        server's answer is read by `connected()`."""
        import websockets

        url = server.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        connection = await websockets.connect(url, origin=origin, open_timeout=10, max_size=None)
        handshake = await asyncio.wait_for(connection.recv(), 10)
        if not handshake.startswith("0{"):
            raise ConnectionError(f"no Engine.IO handshake: {handshake!r}")
        await connection.send("40")  # Socket.IO CONNECT to the main namespace
        return cls(connection)

    async def connected(self) -> str:
        """ "40{…}" (accepted) or "44{…}" (refused by the server)."""
        return await self.packet(10)

    @classmethod
    async def open(cls, server: str, origin: str) -> SocketIOClient:
        """A connection the server accepted (ConnectionError if it refused)."""
        client = await cls.connect(server, origin)
        accepted = await client.connected()
        if not accepted.startswith("40"):
            raise ConnectionError(f"socket.io connection refused: {accepted!r}")
        return client

    async def packet(self, timeout: float) -> str:
        while True:
            message = await asyncio.wait_for(self.connection.recv(), timeout)
            if message == "2":  # Engine.IO ping
                await self.connection.send("3")
                continue
            return message

    async def emit(self, event: str, data: Any) -> None:
        await self.connection.send("42" + json.dumps([event, data]))

    async def event(self, name: str, timeout: float = 60) -> Any:
        while True:
            message = await self.packet(timeout)
            if message.startswith("42"):
                event, *arguments = json.loads(message[2:])
                if event == name:
                    return arguments[0] if arguments else None

    async def session(self) -> str:
        """A new session (the widget's first request); its id."""
        await self.emit("session_request", {"session_id": None})
        return await self.event("session_confirm", 10)

    async def close(self) -> None:
        await self.connection.close()
