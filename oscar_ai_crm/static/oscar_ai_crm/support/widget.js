/*
 * oscar_ai_crm support widget: progressive enhancement of {% crm_support_widget %}.
 *
 * Without this script the widget's form posts to the support page. With it, the form is
 * sent as JSON to the messages endpoint (X-CSRFToken from the form), replies are appended
 * to the panel, and while the conversation waits for staff the conversation endpoint is
 * polled for their reply. The conversation id lives in sessionStorage. Message text is
 * only ever set with textContent. HTTP interface: docs/support-api.md.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.JSON || !document.querySelector) {
    return; // the plain form keeps working
  }

  var STORE_KEY = "oscar_ai_crm.support.conversation";

  function remembered() {
    try {
      var value = window.sessionStorage.getItem(STORE_KEY);
      return value && /^\d+$/.test(value) ? parseInt(value, 10) : null;
    } catch (e) {
      return null; // storage disabled
    }
  }

  function remember(id) {
    try {
      if (id) {
        window.sessionStorage.setItem(STORE_KEY, String(id));
      } else {
        window.sessionStorage.removeItem(STORE_KEY);
      }
    } catch (e) {
      /* storage disabled: the conversation lasts as long as the page */
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function readJson(response) {
    return response.json().then(
      function (data) {
        return { status: response.status, data: data || {} };
      },
      function () {
        return { status: response.status, data: {} };
      }
    );
  }

  function SupportWidget(root) {
    this.root = root;
    this.form = root.querySelector("form");
    this.list = root.querySelector(".crm-support__messages");
    this.note = root.querySelector(".crm-support__note");
    this.error = root.querySelector(".crm-support__error");
    this.input = this.form.querySelector("textarea[name=message]");
    this.button = this.form.querySelector("[type=submit]");
    this.hiddenId = this.form.querySelector("input[name=conversation]");
    this.messagesUrl = root.getAttribute("data-messages-url");
    this.conversationUrl = root.getAttribute("data-conversation-url");
    var seconds = parseInt(root.getAttribute("data-poll-seconds"), 10) || 15;
    this.pollDelay = Math.max(5, seconds) * 1000;
    this.conversation = null;
    this.lastId = 0;
    this.shown = {};
    this.sending = false;
    this.sends = 0;
    this.timer = null;
    this.bind();
    this.setConversation(remembered());
    if (this.conversation) {
      this.load();
    }
  }

  SupportWidget.prototype.label = function (name) {
    return this.root.getAttribute("data-label-" + name) || "";
  };

  SupportWidget.prototype.bind = function () {
    var widget = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      widget.send();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault(); // Enter sends, Shift+Enter starts a new line
        widget.send();
      }
    });
  };

  SupportWidget.prototype.setConversation = function (id) {
    this.conversation = id || null;
    this.hiddenId.value = id ? String(id) : "";
    remember(id);
  };

  SupportWidget.prototype.urlFor = function (id) {
    return this.conversationUrl.replace(/\/0\/$/, "/" + id + "/");
  };

  SupportWidget.prototype.showError = function (text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  };

  SupportWidget.prototype.showStatus = function (status) {
    var waiting = status === "handed_off";
    this.note.hidden = !waiting;
    window.clearTimeout(this.timer);
    this.timer = null;
    if (waiting) {
      var widget = this;
      this.timer = window.setTimeout(function () {
        widget.poll();
      }, this.pollDelay);
    }
  };

  SupportWidget.prototype.append = function (message) {
    if (message.id) {
      if (this.shown[message.id]) {
        return;
      }
      this.shown[message.id] = true;
      this.lastId = Math.max(this.lastId, message.id);
    }
    var item = element("li", "crm-support__message crm-support__message--" + message.sender);
    item.appendChild(element("span", "crm-support__sender", this.label(message.sender)));
    item.appendChild(element("div", "crm-support__text", message.text));
    var articles = message.articles || [];
    if (articles.length) {
      var sources = element("div", "crm-support__sources", this.label("sources"));
      var titles = element("ul");
      for (var i = 0; i < articles.length; i += 1) {
        titles.appendChild(element("li", "", articles[i].title));
      }
      sources.appendChild(titles);
      item.appendChild(sources);
    }
    this.list.appendChild(item);
    this.list.scrollTop = this.list.scrollHeight;
    if (message.sender === "agent" && !this.root.open) {
      this.root.classList.add("crm-support--unread");
    }
  };

  SupportWidget.prototype.load = function () {
    var widget = this;
    var started = this.sends;
    var id = this.conversation;
    return fetch(this.urlFor(id) + "?after=" + this.lastId, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(readJson)
      .then(function (result) {
        if (widget.sends !== started || widget.conversation !== id) {
          return; // a message was sent meanwhile: its answer is drawn by send()
        }
        if (result.status === 404) {
          widget.setConversation(null); // expired session, or another visitor's id
          widget.showStatus(null);
          return;
        }
        if (result.status !== 200) {
          widget.showStatus("handed_off"); // try again later
          return;
        }
        (result.data.messages || []).forEach(function (message) {
          widget.append(message);
        });
        widget.showStatus(result.data.status);
      })
      .catch(function () {
        widget.showStatus("handed_off");
      });
  };

  SupportWidget.prototype.poll = function () {
    if (this.sending || document.hidden) {
      this.showStatus("handed_off"); // come back later
      return;
    }
    this.load();
  };

  SupportWidget.prototype.post = function (text) {
    var token = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(this.messagesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
      body: JSON.stringify({ conversation: this.conversation, message: text }),
    }).then(readJson);
  };

  SupportWidget.prototype.send = function () {
    var text = this.input.value.trim();
    if (!text || this.sending) {
      return;
    }
    var widget = this;
    this.sending = true;
    this.sends += 1;
    this.button.disabled = true;
    this.showError("");
    this.append({ sender: "customer", text: text });
    this.input.value = "";
    var attempt = function (retried) {
      return widget.post(text).then(function (result) {
        if (result.status === 404 && widget.conversation && !retried) {
          widget.setConversation(null); // the old conversation is gone: start a new one
          return attempt(true);
        }
        return result;
      });
    };
    attempt(false)
      .then(function (result) {
        var data = result.data;
        if (result.status !== 200) {
          widget.showError(data.error || widget.label("failed"));
          return;
        }
        widget.setConversation(data.conversation);
        widget.append({
          id: data.message_id,
          sender: "assistant",
          text: data.reply,
          articles: data.articles,
        });
        widget.showStatus(data.status);
      })
      .catch(function () {
        widget.showError(widget.label("failed"));
      })
      .then(function () {
        widget.sending = false;
        widget.button.disabled = false;
      });
  };

  function start() {
    var roots = document.querySelectorAll(".crm-support--widget");
    for (var i = 0; i < roots.length; i += 1) {
      var root = roots[i];
      new SupportWidget(root);
      root.addEventListener("toggle", function (event) {
        event.target.classList.remove("crm-support--unread");
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
