// SPDX-License-Identifier: MIT
// checker_sockets.cpp: sockets: registrations, socketp, REMOVE (and REMOVE of a socket
// HTTP/2 streams share), assign, ERR answered (SC-*, AS-UNKNOWN, SA-ERR, SA-SPURIOUS).
#include "checker_state.hpp"

namespace ms::conf {

void Checker::State::on_socket_cb(std::size_t i, const Event& e, const Event* ctx) {
  callback_common(i, e, ctx);
  group.change = true;
  group.socket_fds.insert(e.fd);
  if (auto it = sockets.err_pending.find(e.fd); it != sockets.err_pending.end()) {
    sockets.err_pending.erase(it);
    sockets.err_easy.erase(e.fd);
  }
  bool valid = e.action >= MS_POLL_NONE && e.action <= MS_POLL_REMOVE;
  check(ClauseId::SC_ACTION, valid, i, e.time_ns,
        [&] { return "expected action 0..4, observed " + std::to_string(e.action); });
  // Edition 8 (curl 8.10 on): easy "might even be an internal easy handle", so an easy
  // the application never added (the trace's -1) is allowed; NULL never is.
  const bool internal_ok = edition == Edition::e8 && e.easy == -1;
  bool known_easy = e.easy != 0 && (added.count(e.easy) != 0 || internal_ok);
  check(ClauseId::SC_USERP, known_easy, i, e.time_ns, [&] {
    return std::string(internal_ok ? "expected easy to be an added or internal handle"
                                   : "expected easy to be a handle added to this multi") +
           ", observed e" + std::to_string(e.easy);
  });
  auto it = sockets.reg.find(e.fd);
  int expect_sp = it == sockets.reg.end() ? 0 : it->second.socketp;
  check(ClauseId::SC_SOCKETP, e.socketp == expect_sp, i, e.time_ns, [&] {
    return "expected socketp " + std::to_string(expect_sp) + " for fd " + std::to_string(e.fd) +
           ", observed " + std::to_string(e.socketp);
  });
  if (!valid) return;
  if (e.action == MS_POLL_REMOVE) {
    remove_with_open_streams(i, e, ctx);
    check(ClauseId::SC_REMOVE, it != sockets.reg.end(), i, e.time_ns, [&] {
      return "expected REMOVE only for a registered socket, observed REMOVE for fd " +
             std::to_string(e.fd) + " which is not registered";
    });
    if (it != sockets.reg.end()) sockets.reg.erase(it);
    return;
  }
  // Watched again: whatever a REMOVE just before meant, the socket is not left alone.
  std::erase_if(streams.suspects, [&](const OpenRemove& r) { return r.fd == e.fd; });
  if (it != sockets.reg.end()) {
    check(ClauseId::SC_CHANGES, it->second.action != e.action, i, e.time_ns, [&] {
      return "expected a change of action for fd " + std::to_string(e.fd) + ", observed action " +
             std::to_string(e.action) + " told twice in a row";
    });
    it->second.action = e.action;
    it->second.easy = e.easy;
  } else {
    ex(ClauseId::SC_CHANGES);
    sockets.reg[e.fd] = Reg{e.action, e.easy, 0, false};
  }
}

void Checker::State::on_net_close(std::size_t i, const Event& e) {
  group.change = true;
  auto it = sockets.reg.find(e.fd);
  bool registered = it != sockets.reg.end() && !it->second.closed;
  check(ClauseId::SC_REMOVE, !registered, i, e.time_ns, [&] {
    return "expected REMOVE before fd " + std::to_string(e.fd) +
           " is closed, observed the close while it is registered";
  });
  // Forget it: the REMOVE that may follow is the same fault, not a second one.
  if (it != sockets.reg.end()) sockets.reg.erase(it);
  // The connection died with the socket: a REMOVE told for it is no stream's loss.
  streams.open.erase(e.fd);
  std::erase_if(streams.suspects, [&](const OpenRemove& r) { return r.fd == e.fd; });
}

void Checker::State::on_net_stream(const Event& e) {
  auto& open = streams.open[e.fd];  // the socket carries streams from now on
  if (e.kind == EventKind::net_stream) open[e.value] = e.easy;
  else open.erase(e.value);
}

// SC-LAST-STREAM: REMOVE for a socket with a stream open for a running, unpaused transfer
// (the world tells a stream's end when the frame that ended it reaches the client). Judged
// later (judge_open_removes): the stream's transfer may have ended in this very call (its
// DONE is read after it), or the socket may be closed or watched again before the
// application waits.
void Checker::State::remove_with_open_streams(std::size_t i, const Event& e, const Event* ctx) {
  const auto it = streams.open.find(e.fd);
  if (it == streams.open.end()) return;  // no HTTP/2 peer has seen a stream on it
  if (ctx != nullptr && ctx->kind == EventKind::cleanup) return;  // everything ends there
  if (!ex(ClauseId::SC_LAST_STREAM)) return;
  for (const auto& [stream, h] : it->second) {
    if (h == 0 || !added.count(h) || done_read.count(h) || paused(h) || moved_off(h, e.fd)) continue;
    streams.suspects.push_back(OpenRemove{i, e.time_ns, ctx != nullptr ? ctx->time_ns : e.time_ns, e.fd, stream, h});
  }
}

// Whether transfer h was last told for another socket than fd (a new connection): its
// stream on fd is abandoned, as when the library sends it again elsewhere.
bool Checker::State::moved_off(int h, int fd) const {
  for (const auto& [other, reg] : sockets.reg)
    if (other != fd && reg.easy == h) return true;
  return false;
}

void Checker::State::judge_open_removes(std::int64_t t) {
  for (const OpenRemove& r : streams.suspects) {
    if (!added.count(r.easy) || done_read.count(r.easy) || paused(r.easy) || moved_off(r.easy, r.fd)) continue;
    fail(ClauseId::SC_LAST_STREAM, r.index, r.time,
         "expected REMOVE for fd " + std::to_string(r.fd) +
             " only after its last stream ended, observed it while stream " + std::to_string(r.stream) +
             " of running e" + std::to_string(r.easy) +
             " was open on it (not ended by the server, or its end not yet arrived); e" +
             std::to_string(r.easy) + " was still running " +
             (t > r.time ? std::to_string((t - r.time) / kMs) + " ms later"
                         : std::string("when the application had nothing to wait on")));
  }
  streams.suspects.clear();
}

// A transfer that ended or left the multi no longer owes an answer to an ERR event.
void Checker::State::forget_errors_of(int h) {
  for (auto it = sockets.err_easy.begin(); it != sockets.err_easy.end();) {
    if (it->second == h) {
      sockets.err_pending.erase(it->first);
      it = sockets.err_easy.erase(it);
    } else {
      ++it;
    }
  }
}

// SA-SPURIOUS: unknown or stale descriptors are tolerated.
void Checker::State::judge_unknown_descriptor(std::size_t i, const Event& e) {
  if (e.fd == MS_SOCKET_TIMEOUT || e.kind == EventKind::socket_all ||
      sockets.reg.find(e.fd) != sockets.reg.end())
    return;
  // A callback's -1 during the call (timers run there too) rightly turns it into
  // ABORTED_BY_CALLBACK: that is ER-ABORT's business, not a rejected descriptor.
  const bool aborted = group.abort && e.result == MSM_ABORTED_BY_CALLBACK;
  check(ClauseId::SA_SPURIOUS, e.result == MSM_OK || aborted, i, e.time_ns, [&] {
    return "expected MSM_OK for unknown or stale fd " + std::to_string(e.fd) + ", observed " +
           mcode(e.result);
  });
}

// SA-ERR: an ERR on a registered socket must lead somewhere.
void Checker::State::owe_answer_to_err(std::size_t i, const Event& e) {
  if (e.kind != EventKind::socket_action || (e.mask & MS_CSELECT_ERR) == 0) return;
  // A socket callback for fd inside this call already answered the ERR.
  auto it = sockets.reg.find(e.fd);
  if (group.socket_fds.count(e.fd)) {
    ex(ClauseId::SA_ERR);
  } else if (it != sockets.reg.end() && ex(ClauseId::SA_ERR)) {
    sockets.err_pending[e.fd] = i;
    sockets.err_easy[e.fd] = it->second.easy;
  }
}

void Checker::State::on_assign(std::size_t i, const Event& e) {
  auto it = sockets.reg.find(e.fd);
  if (it == sockets.reg.end()) {
    check(ClauseId::AS_UNKNOWN, e.result == MSM_BAD_SOCKET, i, e.time_ns, [&] {
      return "expected MSM_BAD_SOCKET assigning unknown fd " + std::to_string(e.fd) +
             ", observed " + mcode(e.result);
    });
    return;
  }
  check(ClauseId::AS_UNKNOWN, e.result == MSM_OK, i, e.time_ns, [&] {
    return "expected MSM_OK assigning registered fd " + std::to_string(e.fd) + ", observed " +
           mcode(e.result);
  });
  if (e.result == MSM_OK) it->second.socketp = e.socketp;
}

void Checker::State::on_cleanup(std::size_t i, const Event& e) {
  cleanup_returned = true;
  if (e.result != MSM_OK) return;
  if (!ex(ClauseId::SC_REMOVE)) return;
  for (auto& [fd, r] : sockets.reg) {
    fail(ClauseId::SC_REMOVE, i, e.time_ns,
         "expected every socket removed at cleanup, observed fd " + std::to_string(fd) +
             " still registered");
  }
}

}  // namespace ms::conf
