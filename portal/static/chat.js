// Minimal page for trying the bot through the REST channel; the full widget comes with issue 7.
(function () {
  const root = document.querySelector(".chat");
  const rasaUrl = root.dataset.rasaUrl || `${location.protocol}//${location.hostname}:5005`;
  const log = root.querySelector(".chat-log");
  const form = root.querySelector(".chat-form");
  const input = form.querySelector("input");
  let sender = sessionStorage.getItem("chat-sender");
  if (!sender) {
    sender = crypto.randomUUID();
    sessionStorage.setItem("chat-sender", sender);
  }

  function add(kind, text) {
    const item = document.createElement("li");
    item.className = kind;
    item.dir = "auto";
    item.textContent = text;
    log.appendChild(item);
    item.scrollIntoView();
    return item;
  }

  function addButtons(buttons) {
    const item = add("buttons", "");
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.dir = "auto";
      button.textContent = b.title;
      button.addEventListener("click", () => send(b.payload, b.title));
      item.appendChild(button);
    }
  }

  async function send(message, shown) {
    add("user", shown || message);
    const reply = await fetch(`${rasaUrl}/webhooks/rest/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender, message }),
    });
    for (const m of await reply.json()) {
      if (m.text) add("bot", m.text);
      if (m.buttons && m.buttons.length) addButtons(m.buttons);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    input.value = "";
    if (text) send(text);
  });
})();
