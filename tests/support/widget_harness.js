/*
 * Runs the real widget.js in Node against a live Django server (tests/support/test_widget.py).
 *
 * Node has no DOM, so this file builds a small one from the widget's HTML as the page
 * rendered it (parsed by the Python test into a {tag, attrs, children, text} tree): just
 * what widget.js touches (querySelector with tag/.class/[attr=value], textContent,
 * appendChild, attributes, hidden, classList, events). fetch is Node's own, with a cookie
 * jar, so requests reach the real endpoints with the session and CSRF cookies; timers are
 * collected and run when the test says so (the poll for staff replies).
 *
 * Protocol: one JSON command per stdin line, one JSON reply per stdout line.
 *   {"cmd": "start", "base", "cookies", "tree", "script"}  -> state
 *   {"cmd": "send", "text"}                                  -> state after the reply
 *   {"cmd": "tick"}   (run the scheduled poll)               -> state after it
 */
"use strict";

const fs = require("fs");
const readline = require("readline");
const vm = require("vm");

class FakeElement {
  constructor(tag, attrs) {
    this.tagName = tag.toUpperCase();
    this.attrs = Object.assign({}, attrs || {});
    this.children = [];
    this.listeners = {};
    this._text = "";
    this.value = this.attrs.value || "";
    this.disabled = false;
    this.scrollTop = 0;
    this.scrollHeight = 0;
    const element = this;
    this.classList = {
      add: (name) => element.setClass(element.classes().concat([name])),
      remove: (name) => element.setClass(element.classes().filter((c) => c !== name)),
      contains: (name) => element.classes().indexOf(name) >= 0,
    };
  }
  classes() {
    return (this.attrs.class || "").split(/\s+/).filter(Boolean);
  }
  setClass(list) {
    this.attrs.class = Array.from(new Set(list)).join(" ");
  }
  get className() {
    return this.attrs.class || "";
  }
  set className(value) {
    this.attrs.class = value;
  }
  get hidden() {
    return "hidden" in this.attrs;
  }
  set hidden(value) {
    if (value) this.attrs.hidden = "";
    else delete this.attrs.hidden;
  }
  get open() {
    return "open" in this.attrs;
  }
  get textContent() {
    return this._text + this.children.map((c) => c.textContent).join("");
  }
  set textContent(value) {
    this.children = [];
    this._text = String(value);
  }
  set innerHTML(value) {
    throw new Error("widget.js must not use innerHTML");
  }
  getAttribute(name) {
    return name in this.attrs ? this.attrs[name] : null;
  }
  appendChild(child) {
    this.children.push(child);
    return child;
  }
  addEventListener(type, listener) {
    (this.listeners[type] = this.listeners[type] || []).push(listener);
  }
  dispatch(type, extra) {
    const event = Object.assign(
      { type: type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } },
      extra || {}
    );
    (this.listeners[type] || []).forEach((listener) => listener(event));
    return event;
  }
  matches(selector) {
    const match = /^([a-z]*)(?:\.([\w-]+))?(?:\[([\w-]+)=([\w-]+)\])?$/.exec(selector);
    if (!match) throw new Error("selector not supported by the harness: " + selector);
    const [, tag, cls, attr, value] = match;
    return (
      (!tag || this.tagName === tag.toUpperCase()) &&
      (!cls || this.classList.contains(cls)) &&
      (!attr || this.attrs[attr] === value)
    );
  }
  querySelectorAll(selector) {
    const found = [];
    const walk = (node) =>
      node.children.forEach((child) => {
        if (child.matches(selector)) found.push(child);
        walk(child);
      });
    walk(this);
    return found;
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
}

function build(tree) {
  const element = new FakeElement(tree.tag, tree.attrs);
  element._text = tree.text || "";
  if (tree.tag === "textarea") element.value = tree.text || "";
  (tree.children || []).forEach((child) => element.appendChild(build(child)));
  return element;
}

const realFetch = globalThis.fetch;
let base = "";
const jar = {};
let timers = [];
let pending = 0;
let roots = [];
const storage = new Map();

function cookieHeader() {
  return Object.entries(jar).map(([k, v]) => k + "=" + v).join("; ");
}

async function fakeFetch(url, options) {
  options = Object.assign({}, options || {});
  options.headers = Object.assign({}, options.headers || {}, { Cookie: cookieHeader() });
  options.redirect = "manual";
  pending += 1;
  try {
    const response = await realFetch(new URL(url, base), options);
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      jar[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    const body = await response.text();
    return {
      status: response.status,
      ok: response.ok,
      json: async () => JSON.parse(body),
    };
  } finally {
    pending -= 1;
  }
}

function installGlobals() {
  const body = new FakeElement("body");
  const document = {
    readyState: "complete",
    hidden: false,
    body: body,
    createElement: (tag) => new FakeElement(tag),
    querySelector: (s) => body.querySelector(s),
    querySelectorAll: (s) => body.querySelectorAll(s),
    addEventListener: () => {},
  };
  globalThis.document = document;
  globalThis.fetch = fakeFetch; // widget.js calls fetch() bare
  globalThis.window = {
    document: document,
    fetch: fakeFetch,
    JSON: JSON,
    sessionStorage: {
      getItem: (k) => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
      removeItem: (k) => storage.delete(k),
    },
    setTimeout: (callback, delay) => {
      timers.push({ callback, delay });
      return timers.length;
    },
    clearTimeout: () => {
      timers = [];
    },
  };
  return body;
}

async function settle() {
  // Until no request is in flight and the promise chains after them have run (60 s at most).
  const deadline = Date.now() + 60000;
  let quiet = 0;
  while (quiet < 20 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    quiet = pending === 0 ? quiet + 1 : 0;
  }
}

function state() {
  const root = roots[0];
  const list = root.querySelector(".crm-support__messages");
  return {
    messages: list.children.map((item) => ({
      classes: item.className,
      sender: item.children[0].textContent,
      text: item.children[1].textContent,
      sources: item.children[2] ? item.children[2].children[0].children.map((li) => li.textContent) : [],
      children: item.children.map((c) => c.tagName),
    })),
    note_hidden: root.querySelector(".crm-support__note").hidden,
    error: root.querySelector(".crm-support__error").textContent,
    error_hidden: root.querySelector(".crm-support__error").hidden,
    conversation_input: root.querySelector("input[name=conversation]").value,
    stored: storage.get("oscar_ai_crm.support.conversation") || null,
    timers: timers.map((t) => t.delay),
    unread: root.classList.contains("crm-support--unread"),
    input: root.querySelector("textarea[name=message]").value,
    button_disabled: root.querySelector("[type=submit]").disabled,
  };
}

async function handle(command) {
  if (command.cmd === "start") {
    base = command.base;
    Object.assign(jar, command.cookies || {});
    const body = installGlobals();
    body.appendChild(build(command.tree));
    roots = body.querySelectorAll(".crm-support--widget");
    timers = [];
    const source = fs.readFileSync(command.script, "utf8");
    vm.runInThisContext(source, { filename: command.script });
    await settle();
    return state();
  }
  const root = roots[0];
  if (command.cmd === "send") {
    root.querySelector("textarea[name=message]").value = command.text;
    const event = root.querySelector("form").dispatch("submit");
    if (!event.defaultPrevented) throw new Error("the widget did not take over the submit");
    await settle();
    return state();
  }
  if (command.cmd === "tick") {
    const due = timers;
    timers = [];
    due.forEach((t) => t.callback());
    await settle();
    return state();
  }
  throw new Error("unknown command " + command.cmd);
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  queue = queue.then(async () => {
    try {
      process.stdout.write(JSON.stringify({ ok: true, state: await handle(JSON.parse(line)) }) + "\n");
    } catch (error) {
      process.stdout.write(JSON.stringify({ ok: false, error: String(error.stack || error) }) + "\n");
    }
  });
});
