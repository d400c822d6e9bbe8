// Outpost's service worker: go-app's stock worker plus what offline needs.
// - install awaits the pre-cache, so a worker is only active with a complete shell;
// - navigations to pages that are not cached (deep links such as /article/x)
//   go to the network and, when it fails, fall back to the cached "/", whose
//   WebAssembly then routes from the URL;
// - the websocket, the API and the health check never touch the cache.
const cacheName = "app-" + "{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    await cache.addAll(resourcesToCache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keys = await caches.keys();
    await Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k)));
    await self.clients.claim();
  })());
});

function bypass(url) {
  return url.origin !== self.location.origin ||
    url.pathname === "/ws" || url.pathname === "/healthz" || url.pathname === "/readyz" ||
    url.pathname === "/metrics" || url.pathname.startsWith("/api/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || bypass(new URL(request.url))) {
    return;
  }
  event.respondWith(respond(request));
});

async function respond(request) {
  const cached = await caches.match(request, { ignoreSearch: request.mode === "navigate" });
  if (cached) {
    return cached;
  }
  try {
    return await fetch(request);
  } catch (err) {
    if (request.mode === "navigate") {
      const shell = await caches.match("/");
      if (shell) {
        return shell;
      }
    }
    throw err;
  }
}

self.addEventListener("message", (event) => {
  const msg = event.data;
  if (msg && msg.type === "goapp:notify") {
    event.waitUntil(self.registration.showNotification(msg.options.title || "Outpost", msg.options));
  }
});
