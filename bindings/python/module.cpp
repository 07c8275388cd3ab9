// SPDX-License-Identifier: MIT
// module.cpp: the CPython extension multisock._multisock (Multi, Easy, errors, constants).
//
// How it works:
// - A Multi or an Easy holds a backend table (bindings/common/backend.hpp): the engine on
//   the real ports, or a curl-style library. An Easy joins only a Multi of its backend.
// - The binding installs its own C trampolines as the socket, timer, write and header
//   functions, with the Python object as their data pointer, once, when the handle is
//   made; setopt(MOPT_SOCKETFUNCTION, f) only swaps the Python callable they call. So the
//   data pointers are never the application's, and MOPT_SOCKETDATA/TIMERDATA are refused.
// - Engine work (socket_action, add/remove_handle, close) runs with the GIL released; a
//   trampoline takes it back (PyGILState_Ensure) before it calls Python. Except over a
//   simulated world (World, Multi(world=w)): the world is shared by its multis and the
//   application's loop and is not thread-safe, so the GIL stays held and serialises them
//   (the engine's work there is short: virtual time costs nothing).
// - An exception raised by a callback is kept (the first one of the call; later ones are
//   dropped) and the trampoline answers the engine as if the callback had returned
//   normally (socket and timer: 0; write: the bytes are dropped, so that transfer fails
//   with a write error). When the engine call returns, the exception is raised to its
//   caller. The engine's own state is therefore never cut short: the application may call
//   socket_action again as usual.
// - Objects the engine points back to (added Easy handles, assign() objects) are owned by
//   the Multi: an Easy while added, an assigned object until its socket is told
//   POLL_REMOVE (the engine then forgets it) or the Multi closes. Callbacks look them up
//   in those tables rather than trusting a pointer handed back by a library under test.
// - One thread at a time: a Multi used by a second thread while a call is in progress
//   raises RuntimeError (calls from its own callbacks reach the engine, which answers
//   MSM_RECURSIVE_API_CALL as the contract says).
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <climits>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "backend.hpp"
#include "sim_world.hpp"

namespace {

using ms::conf::Api;

PyObject* g_error = nullptr;        // multisock.Error (base)
PyObject* g_multi_error = nullptr;  // multisock.MultiError(code, name, text)
PyObject* g_easy_error = nullptr;   // multisock.EasyError(code, name, text)
PyTypeObject* g_multi_type = nullptr;
PyTypeObject* g_easy_type = nullptr;
PyTypeObject* g_world_type = nullptr;

// A simulated world (bindings/common/sim_world.hpp).
struct WorldObject {
  PyObject_HEAD
  ms::bind::SimWorld* world;
  PyObject* weakrefs;
};

struct MultiObject;

struct EasyObject {
  PyObject_HEAD
  const Api* api;
  void* easy;
  MultiObject* multi;  // the Multi it is added to (borrowed: that Multi owns a reference)
  PyObject* write_cb;
  PyObject* header_cb;
  PyObject* private_obj;
  std::string* body;     // the body when no write function is set
  std::string* headers;  // the header lines when no header function is set
  std::map<int, std::list<std::string>>* strings;  // string options, the last one set kept
  std::map<int, ms_slist*>* lists;      // list options (HTTPHEADER, RESOLVE)
  PyObject* weakrefs;
};

struct MultiObject {
  PyObject_HEAD
  const Api* api;
  void* multi;
  bool closing;
  PyObject* socket_cb;
  PyObject* timer_cb;
  PyObject* world;  // the WorldObject whose ports it uses, or null (real ports, a library)
  std::unordered_map<void*, EasyObject*>* easies;  // added handles, one reference each
  std::unordered_map<int, PyObject*>* socketps;     // assign()ed objects, one reference each
  PyObject* exc_type;  // the first exception a callback raised during the current call
  PyObject* exc_value;
  PyObject* exc_tb;
  unsigned long busy_thread;
  int busy_depth;
  PyObject* weakrefs;
};

// ---- errors ------------------------------------------------------------------------------

PyObject* raise_code(PyObject* type, int code, const char* name, const char* text) {
  PyObject* exc = PyObject_CallFunction(type, "iss", code, name, text != nullptr ? text : "");
  if (exc == nullptr) return nullptr;
  PyErr_SetObject(type, exc);
  Py_DECREF(exc);
  return nullptr;
}

// .code and .name of MultiError / EasyError: args[0] and args[1], so an error made by
// Python code (EasyError(code, name, text)) has them too.
PyObject* error_arg(PyObject* self, Py_ssize_t index) {
  PyObject* args = PyObject_GetAttrString(self, "args");
  if (args == nullptr) return nullptr;
  PyObject* item = PyTuple_Check(args) && PyTuple_GET_SIZE(args) > index ? PyTuple_GET_ITEM(args, index) : Py_None;
  Py_INCREF(item);
  Py_DECREF(args);
  return item;
}
PyObject* error_code(PyObject*, PyObject* self) { return error_arg(self, 0); }
PyObject* error_name(PyObject*, PyObject* self) { return error_arg(self, 1); }
PyMethodDef error_code_def = {"code", error_code, METH_O, "The code (an int)."};
PyMethodDef error_name_def = {"name", error_name, METH_O, "The code's name (\"MSM_BAD_SOCKET\")."};

// A dict {"code": property, "name": property} for the error classes.
PyObject* error_dict() {
  PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  for (PyMethodDef* def : {&error_code_def, &error_name_def}) {
    PyObject* getter = PyCFunction_New(def, nullptr);
    PyObject* prop = getter != nullptr
        ? PyObject_CallFunctionObjArgs(reinterpret_cast<PyObject*>(&PyProperty_Type), getter, nullptr)
        : nullptr;
    Py_XDECREF(getter);
    if (prop == nullptr || PyDict_SetItemString(dict, def->ml_name, prop) != 0) {
      Py_XDECREF(prop);
      Py_DECREF(dict);
      return nullptr;
    }
    Py_DECREF(prop);
  }
  return dict;
}

PyObject* raise_multi(const Api* api, int code) {
  return raise_code(g_multi_error, code, ms::bind::multi_code_name(code), api->multi_strerror(code));
}

PyObject* raise_easy(const Api* api, int code) {
  return raise_code(g_easy_error, code, ms::bind::easy_code_name(code), api->easy_strerror(code));
}

// Keeps the exception now set as the call's first one; drops later ones.
void stash_exception(MultiObject* self) {
  if (self->exc_type == nullptr) {
    PyErr_Fetch(&self->exc_type, &self->exc_value, &self->exc_tb);
  } else {
    PyErr_Clear();
  }
}

// Re-raises a kept exception; true when there was one.
bool restore_exception(MultiObject* self) {
  if (self->exc_type == nullptr) return false;
  PyErr_Restore(self->exc_type, self->exc_value, self->exc_tb);
  self->exc_type = self->exc_value = self->exc_tb = nullptr;
  return true;
}

// ---- busy guard: one thread at a time ----------------------------------------------------

bool enter(MultiObject* self) {
  if (self->multi == nullptr) {
    PyErr_SetString(PyExc_ValueError, "the Multi is closed");
    return false;
  }
  const unsigned long me = PyThread_get_thread_ident();
  if (self->busy_depth > 0 && self->busy_thread != me) {
    PyErr_SetString(PyExc_RuntimeError, "the Multi is in use by another thread");
    return false;
  }
  self->busy_thread = me;
  ++self->busy_depth;
  return true;
}

void leave(MultiObject* self) { --self->busy_depth; }

// ---- trampolines ---------------------------------------------------------------------------

int socket_trampoline(void* easy, int fd, int what, void* userp, void* /*socketp*/) {
  auto* self = static_cast<MultiObject*>(userp);
  if (self->closing) return 0;
  PyGILState_STATE gil = PyGILState_Ensure();
  if (self->socket_cb != nullptr) {
    PyObject* easy_obj = Py_None;
    if (auto it = self->easies->find(easy); it != self->easies->end())
      easy_obj = reinterpret_cast<PyObject*>(it->second);
    PyObject* socketp = Py_None;
    if (auto it = self->socketps->find(fd); it != self->socketps->end()) socketp = it->second;
    PyObject* r = PyObject_CallFunction(self->socket_cb, "OiiO", easy_obj, fd, what, socketp);
    if (r == nullptr) stash_exception(self);
    Py_XDECREF(r);
  }
  if (what == MS_POLL_REMOVE) {  // the engine forgets the socket's object now
    if (auto it = self->socketps->find(fd); it != self->socketps->end()) {
      PyObject* old = it->second;
      self->socketps->erase(it);
      Py_DECREF(old);
    }
  }
  PyGILState_Release(gil);
  return 0;
}

int timer_trampoline(void* /*multi*/, long timeout_ms, void* userp) {
  auto* self = static_cast<MultiObject*>(userp);
  if (self->closing) return 0;
  PyGILState_STATE gil = PyGILState_Ensure();
  if (self->timer_cb != nullptr) {
    PyObject* r = PyObject_CallFunction(self->timer_cb, "l", timeout_ms);
    if (r == nullptr) stash_exception(self);
    Py_XDECREF(r);
  }
  PyGILState_Release(gil);
  return 0;
}

// Calls a write or header function with the bytes; returns how many it took.
size_t call_data_callback(EasyObject* self, PyObject* cb, const char* data, size_t n) {
  size_t taken = 0;
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject* r = PyObject_CallFunction(cb, "y#", data, static_cast<Py_ssize_t>(n));
  if (r == nullptr) {
    if (self->multi != nullptr) {
      stash_exception(self->multi);
    } else {
      PyErr_WriteUnraisable(cb);
    }
  } else if (r == Py_None) {
    taken = n;
  } else {
    const long long v = PyLong_AsLongLong(r);
    if (v == -1 && PyErr_Occurred()) {
      if (self->multi != nullptr) stash_exception(self->multi); else PyErr_Clear();
    } else {
      taken = static_cast<size_t>(v);
    }
  }
  Py_XDECREF(r);
  PyGILState_Release(gil);
  return taken;
}

size_t write_trampoline(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* self = static_cast<EasyObject*>(userdata);
  const size_t n = size * nmemb;
  if (self->write_cb == nullptr) {  // only this transfer's thread touches the buffer now
    self->body->append(ptr, n);
    return n;
  }
  return call_data_callback(self, self->write_cb, ptr, n);
}

size_t header_trampoline(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* self = static_cast<EasyObject*>(userdata);
  const size_t n = size * nmemb;
  if (self->header_cb == nullptr) {
    self->headers->append(ptr, n);
    return n;
  }
  return call_data_callback(self, self->header_cb, ptr, n);
}

// Engine work of a Multi: without the GIL, except over a world (see the top of the file).
class EngineCall {
 public:
  explicit EngineCall(const MultiObject* m) : saved_(m->world != nullptr ? nullptr : PyEval_SaveThread()) {}
  ~EngineCall() {
    if (saved_ != nullptr) PyEval_RestoreThread(saved_);
  }
  EngineCall(const EngineCall&) = delete;
  EngineCall& operator=(const EngineCall&) = delete;

 private:
  PyThreadState* saved_;
};

// ---- backend argument ----------------------------------------------------------------------

const Api* backend_from_args(const char* lib, const char* prefix) {
  std::string error;
  const Api* api = ms::bind::open_backend(lib != nullptr ? lib : "", prefix, &error);
  if (api == nullptr) PyErr_SetString(PyExc_OSError, error.c_str());
  return api;
}

// The constructors' keyword arguments lib= and prefix= (Easy and Multi alike): the backend,
// or nullptr with a Python error set.
const Api* backend_from_new_args(PyObject* args, PyObject* kwds) {
  static const char* kwlist[] = {"lib", "prefix", nullptr};
  const char* lib = nullptr;
  const char* prefix = "curl_";
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|zs", const_cast<char**>(kwlist), &lib, &prefix))
    return nullptr;
  return backend_from_args(lib, prefix);
}

// ---- Easy ------------------------------------------------------------------------------------

PyObject* Easy_new(PyTypeObject* type, PyObject* args, PyObject* kwds) {
  const Api* api = backend_from_new_args(args, kwds);
  if (api == nullptr) return nullptr;
  void* easy = api->easy_init();
  if (easy == nullptr) return PyErr_Format(PyExc_MemoryError, "%s: easy_init failed", api->name.c_str());
  auto* self = reinterpret_cast<EasyObject*>(type->tp_alloc(type, 0));
  if (self == nullptr) {
    api->easy_cleanup(easy);
    return nullptr;
  }
  self->api = api;
  self->easy = easy;
  self->body = new std::string();
  self->headers = new std::string();
  self->strings = new std::map<int, std::list<std::string>>();
  self->lists = new std::map<int, ms_slist*>();
  api->easy_setopt(easy, MSOPT_WRITEFUNCTION, &write_trampoline);
  api->easy_setopt(easy, MSOPT_WRITEDATA, static_cast<void*>(self));
  api->easy_setopt(easy, MSOPT_HEADERFUNCTION, &header_trampoline);
  api->easy_setopt(easy, MSOPT_HEADERDATA, static_cast<void*>(self));
  api->easy_setopt(easy, MSOPT_NOSIGNAL, 1L);
  return reinterpret_cast<PyObject*>(self);
}

PyObject* multi_remove(MultiObject* multi, EasyObject* easy);

void easy_release(EasyObject* self) {
  if (self->easy != nullptr) {
    self->api->easy_cleanup(self->easy);
    self->easy = nullptr;
  }
  if (self->lists != nullptr) {
    for (auto& [option, list] : *self->lists) self->api->slist_free_all(list);
    delete self->lists;
    self->lists = nullptr;
  }
  delete self->strings;
  self->strings = nullptr;
  delete self->body;
  self->body = nullptr;
  delete self->headers;
  self->headers = nullptr;
}

int Easy_traverse(EasyObject* self, visitproc visit, void* arg) {
  Py_VISIT(self->write_cb);
  Py_VISIT(self->header_cb);
  Py_VISIT(self->private_obj);
  Py_VISIT(Py_TYPE(self));
  return 0;
}

int Easy_clear(EasyObject* self) {
  Py_CLEAR(self->write_cb);
  Py_CLEAR(self->header_cb);
  Py_CLEAR(self->private_obj);
  return 0;
}

void Easy_dealloc(EasyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (self->weakrefs != nullptr) PyObject_ClearWeakRefs(reinterpret_cast<PyObject*>(self));
  // An added Easy is owned by its Multi, so it is never freed while added.
  easy_release(self);
  Easy_clear(self);
  type->tp_free(self);
  Py_DECREF(type);
}

bool easy_open(EasyObject* self) {
  if (self->easy != nullptr) return true;
  PyErr_SetString(PyExc_ValueError, "the Easy is closed");
  return false;
}

PyObject* Easy_setopt(EasyObject* self, PyObject* args) {
  int option = 0;
  PyObject* value = nullptr;
  if (!PyArg_ParseTuple(args, "iO:setopt", &option, &value)) return nullptr;
  if (!easy_open(self)) return nullptr;
  const Api* api = self->api;
  int rc = MSE_OK;
  switch (option) {
    case MSOPT_WRITEDATA: case MSOPT_HEADERDATA: case MSOPT_READDATA: case MSOPT_ERRORBUFFER:
    case MSOPT_PROGRESSDATA: case MSOPT_DEBUGDATA: case MSOPT_OPENSOCKETDATA:
    case MSOPT_CLOSESOCKETDATA:
      return PyErr_Format(PyExc_ValueError, "option %d is the binding's own: use a function option", option);
    case MSOPT_WRITEFUNCTION:
    case MSOPT_HEADERFUNCTION: {
      if (value != Py_None && !PyCallable_Check(value))
        return PyErr_Format(PyExc_TypeError, "option %d takes a callable or None", option);
      PyObject** slot = option == MSOPT_WRITEFUNCTION ? &self->write_cb : &self->header_cb;
      Py_XSETREF(*slot, value == Py_None ? nullptr : Py_NewRef(value));
      Py_RETURN_NONE;
    }
    case MSOPT_PRIVATE:
      Py_XSETREF(self->private_obj, value == Py_None ? nullptr : Py_NewRef(value));
      rc = api->easy_setopt(self->easy, option, static_cast<void*>(self->private_obj));
      break;
    case MSOPT_HTTPHEADER:
    case MSOPT_RESOLVE: {
      if (value == Py_None) {
        rc = api->easy_setopt(self->easy, option, static_cast<void*>(nullptr));
      } else {
        PyObject* seq = PySequence_Fast(value, "option takes a sequence of str");
        if (seq == nullptr) return nullptr;
        ms_slist* list = nullptr;
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        for (Py_ssize_t i = 0; i < n; ++i) {
          const char* text = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
          ms_slist* next = text != nullptr ? api->slist_append(list, text) : nullptr;
          if (next == nullptr) {
            if (list != nullptr) api->slist_free_all(list);
            Py_DECREF(seq);
            return text == nullptr ? nullptr : PyErr_NoMemory();
          }
          list = next;
        }
        Py_DECREF(seq);
        rc = api->easy_setopt(self->easy, option, static_cast<void*>(list));
        if (rc != MSE_OK) {
          if (list != nullptr) api->slist_free_all(list);
          return raise_easy(api, rc);
        }
        auto& slot = (*self->lists)[option];
        if (slot != nullptr) api->slist_free_all(slot);
        slot = list;
        Py_RETURN_NONE;
      }
      break;
    }
    default:
      switch (ms::bind::option_kind(option)) {
        case ms::bind::OptionKind::Long:
        case ms::bind::OptionKind::OffT: {
          if (!PyLong_Check(value)) return PyErr_Format(PyExc_TypeError, "option %d takes an int", option);
          const long long v = PyLong_AsLongLong(value);
          if (v == -1 && PyErr_Occurred()) return nullptr;
          if (ms::bind::option_kind(option) == ms::bind::OptionKind::Long) {
            if (v < LONG_MIN || v > LONG_MAX) return PyErr_Format(PyExc_OverflowError, "option %d: out of range", option);
            rc = api->easy_setopt(self->easy, option, static_cast<long>(v));
          } else {
            rc = api->easy_setopt(self->easy, option, static_cast<int64_t>(v));
          }
          break;
        }
        case ms::bind::OptionKind::Pointer: {
          if (value == Py_None) {
            rc = api->easy_setopt(self->easy, option, static_cast<void*>(nullptr));
            break;
          }
          Py_ssize_t size = 0;
          const char* text = nullptr;
          if (PyUnicode_Check(value)) {
            text = PyUnicode_AsUTF8AndSize(value, &size);
          } else if (PyBytes_Check(value)) {
            text = PyBytes_AS_STRING(value);
            size = PyBytes_GET_SIZE(value);
          } else {
            return PyErr_Format(PyExc_TypeError, "option %d takes str, bytes or None", option);
          }
          if (text == nullptr) return nullptr;
          if (std::memchr(text, '\0', static_cast<size_t>(size)) != nullptr && option != MSOPT_POSTFIELDS)
            return PyErr_Format(PyExc_ValueError, "option %d: embedded NUL", option);
          // Kept while set: the engine borrows POSTFIELDS, and a library may borrow any
          // string. A list node never moves, so the pointer handed over stays valid.
          auto& kept = (*self->strings)[option];
          kept.emplace_back(text, static_cast<size_t>(size));
          rc = api->easy_setopt(self->easy, option, static_cast<const void*>(kept.back().c_str()));
          if (rc != MSE_OK) {
            kept.pop_back();
          } else {
            while (kept.size() > 1) kept.pop_front();
            if (option == MSOPT_POSTFIELDS)
              api->easy_setopt(self->easy, MSOPT_POSTFIELDSIZE_LARGE, static_cast<int64_t>(size));
          }
          break;
        }
        case ms::bind::OptionKind::Function:
          return PyErr_Format(PyExc_ValueError, "function option %d is not available from Python", option);
      }
  }
  if (rc != MSE_OK) return raise_easy(api, rc);
  Py_RETURN_NONE;
}

PyObject* Easy_getinfo(EasyObject* self, PyObject* args) {
  int info = 0;
  if (!PyArg_ParseTuple(args, "i:getinfo", &info)) return nullptr;
  if (!easy_open(self)) return nullptr;
  const Api* api = self->api;
  if (info == MSINFO_PRIVATE) {
    PyObject* obj = self->private_obj != nullptr ? self->private_obj : Py_None;
    return Py_NewRef(obj);
  }
  int rc = MSE_OK;
  switch (ms::bind::info_kind(info)) {
    case ms::bind::InfoKind::String: {
      const char* text = nullptr;
      rc = api->easy_getinfo(self->easy, info, &text);
      if (rc != MSE_OK) return raise_easy(api, rc);
      if (text == nullptr) Py_RETURN_NONE;
      return PyUnicode_DecodeUTF8(text, static_cast<Py_ssize_t>(std::strlen(text)), "replace");
    }
    case ms::bind::InfoKind::Long: {
      long v = 0;
      rc = api->easy_getinfo(self->easy, info, &v);
      if (rc != MSE_OK) return raise_easy(api, rc);
      return PyLong_FromLong(v);
    }
    case ms::bind::InfoKind::Double: {
      double v = 0;
      rc = api->easy_getinfo(self->easy, info, &v);
      if (rc != MSE_OK) return raise_easy(api, rc);
      return PyFloat_FromDouble(v);
    }
    case ms::bind::InfoKind::OffT: {
      int64_t v = 0;
      rc = api->easy_getinfo(self->easy, info, &v);
      if (rc != MSE_OK) return raise_easy(api, rc);
      return PyLong_FromLongLong(v);
    }
    case ms::bind::InfoKind::Unknown:
      break;
  }
  return raise_easy(api, MSE_UNKNOWN_OPTION);
}

PyObject* Easy_body(EasyObject* self, PyObject*) {
  if (!easy_open(self)) return nullptr;
  return PyBytes_FromStringAndSize(self->body->data(), static_cast<Py_ssize_t>(self->body->size()));
}

PyObject* Easy_header_bytes(EasyObject* self, PyObject*) {
  if (!easy_open(self)) return nullptr;
  return PyBytes_FromStringAndSize(self->headers->data(), static_cast<Py_ssize_t>(self->headers->size()));
}

PyObject* Easy_clear_buffers(EasyObject* self, PyObject*) {
  if (!easy_open(self)) return nullptr;
  self->body->clear();
  self->headers->clear();
  Py_RETURN_NONE;
}

PyObject* Easy_close(EasyObject* self, PyObject*) {
  if (self->multi != nullptr && multi_remove(self->multi, self) == nullptr) return nullptr;
  easy_release(self);
  Easy_clear(self);
  Py_RETURN_NONE;
}

PyObject* Easy_backend(EasyObject* self, void*) { return PyUnicode_FromString(self->api->name.c_str()); }

PyMethodDef Easy_methods[] = {
    {"setopt", reinterpret_cast<PyCFunction>(Easy_setopt), METH_VARARGS,
     "setopt(option, value): int, str/bytes, list of str (HTTPHEADER, RESOLVE), callable "
     "(WRITEFUNCTION, HEADERFUNCTION: f(bytes) -> None or count taken) or any object (PRIVATE)."},
    {"getinfo", reinterpret_cast<PyCFunction>(Easy_getinfo), METH_VARARGS, "getinfo(info) -> str, int, float or None."},
    {"body", reinterpret_cast<PyCFunction>(Easy_body), METH_NOARGS, "The body received (when no WRITEFUNCTION is set)."},
    {"header_bytes", reinterpret_cast<PyCFunction>(Easy_header_bytes), METH_NOARGS,
     "The header lines received (when no HEADERFUNCTION is set)."},
    {"clear_buffers", reinterpret_cast<PyCFunction>(Easy_clear_buffers), METH_NOARGS, "Empties body and header buffers."},
    {"close", reinterpret_cast<PyCFunction>(Easy_close), METH_NOARGS, "Removes the handle from its Multi and frees it."},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef Easy_getset[] = {
    {"backend", reinterpret_cast<getter>(Easy_backend), nullptr, "The implementation's name.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMemberDef Easy_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(EasyObject, weakrefs), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot Easy_slots[] = {
    {Py_tp_members, Easy_members},
    {Py_tp_new, reinterpret_cast<void*>(Easy_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Easy_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(Easy_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(Easy_clear)},
    {Py_tp_methods, Easy_methods},
    {Py_tp_getset, Easy_getset},
    {Py_tp_doc, const_cast<char*>("Easy(lib=None, prefix='curl_'): one transfer.")},
    {0, nullptr}};

PyType_Spec Easy_spec = {"multisock._multisock.Easy", sizeof(EasyObject), 0,
                         Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Easy_slots};

// ---- Multi -----------------------------------------------------------------------------------

PyObject* Multi_new(PyTypeObject* type, PyObject* args, PyObject* kwds) {
  static const char* kwlist[] = {"lib", "prefix", "world", nullptr};
  const char* lib = nullptr;
  const char* prefix = "curl_";
  PyObject* world = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|zsO", const_cast<char**>(kwlist), &lib, &prefix, &world))
    return nullptr;
  if (world != Py_None && !PyObject_TypeCheck(world, g_world_type))
    return PyErr_Format(PyExc_TypeError, "world= takes a multisock.sim.World, not %s", Py_TYPE(world)->tp_name);
  if (world != Py_None && lib != nullptr)
    return PyErr_Format(PyExc_ValueError, "world= runs the engine: it takes no lib=");
  const Api* api = backend_from_args(lib, prefix);
  if (api == nullptr) return nullptr;
  ms::bind::SimWorld* sim = world != Py_None ? reinterpret_cast<WorldObject*>(world)->world : nullptr;
  // Over a world: the engine bound to the world's ports (the engine-sim target's way);
  // every other call goes through the same engine table.
  void* multi = sim != nullptr ? static_cast<void*>(sim->multi_init()) : api->multi_init();
  if (multi == nullptr) return PyErr_Format(PyExc_MemoryError, "%s: multi_init failed", api->name.c_str());
  auto* self = reinterpret_cast<MultiObject*>(type->tp_alloc(type, 0));
  if (self == nullptr) {
    api->multi_cleanup(multi);
    return nullptr;
  }
  self->api = api;
  self->multi = multi;
  self->world = sim != nullptr ? Py_NewRef(world) : nullptr;
  self->easies = new std::unordered_map<void*, EasyObject*>();
  self->socketps = new std::unordered_map<int, PyObject*>();
  api->multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &socket_trampoline);
  api->multi_setopt(multi, MSMOPT_SOCKETDATA, static_cast<void*>(self));
  api->multi_setopt(multi, MSMOPT_TIMERFUNCTION, &timer_trampoline);
  api->multi_setopt(multi, MSMOPT_TIMERDATA, static_cast<void*>(self));
  return reinterpret_cast<PyObject*>(self);
}

// Cleans up the multi and lets go of everything it owned. No callback reaches Python.
void multi_release(MultiObject* self) {
  if (self->multi != nullptr) {
    self->closing = true;
    self->api->multi_cleanup(self->multi);
    self->multi = nullptr;
  }
  if (self->easies != nullptr) {
    auto easies = std::move(*self->easies);
    delete self->easies;
    self->easies = nullptr;
    for (auto& [ptr, easy] : easies) {
      easy->multi = nullptr;
      Py_DECREF(easy);
    }
  }
  if (self->socketps != nullptr) {
    auto socketps = std::move(*self->socketps);
    delete self->socketps;
    self->socketps = nullptr;
    for (auto& [fd, obj] : socketps) Py_DECREF(obj);
  }
  Py_CLEAR(self->exc_type);
  Py_CLEAR(self->exc_value);
  Py_CLEAR(self->exc_tb);
}

int Multi_traverse(MultiObject* self, visitproc visit, void* arg) {
  Py_VISIT(self->socket_cb);
  Py_VISIT(self->timer_cb);
  Py_VISIT(self->world);
  if (self->easies != nullptr)
    for (auto& [ptr, easy] : *self->easies) Py_VISIT(easy);
  if (self->socketps != nullptr)
    for (auto& [fd, obj] : *self->socketps) Py_VISIT(obj);
  Py_VISIT(self->exc_value);
  Py_VISIT(Py_TYPE(self));
  return 0;
}

int Multi_clear(MultiObject* self) {
  if (self->busy_depth > 0) return 0;  // not while a call is under way (cannot happen in GC)
  multi_release(self);
  Py_CLEAR(self->socket_cb);
  Py_CLEAR(self->timer_cb);
  Py_CLEAR(self->world);  // after the multi: its cleanup closes the world's sockets
  return 0;
}

void Multi_dealloc(MultiObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (self->weakrefs != nullptr) PyObject_ClearWeakRefs(reinterpret_cast<PyObject*>(self));
  multi_release(self);
  Py_CLEAR(self->socket_cb);
  Py_CLEAR(self->timer_cb);
  Py_CLEAR(self->world);
  type->tp_free(self);
  Py_DECREF(type);
}

// Finishes a call into the engine: a callback's exception wins over the code.
PyObject* finish(MultiObject* self, int rc) {
  leave(self);
  if (restore_exception(self)) return nullptr;
  if (rc != MSM_OK) return raise_multi(self->api, rc);
  return Py_None;  // borrowed marker: the caller builds its own result
}

PyObject* Multi_setopt(MultiObject* self, PyObject* args) {
  int option = 0;
  PyObject* value = nullptr;
  if (!PyArg_ParseTuple(args, "iO:setopt", &option, &value)) return nullptr;
  if (self->multi == nullptr) {
    PyErr_SetString(PyExc_ValueError, "the Multi is closed");
    return nullptr;
  }
  if (option == MSMOPT_SOCKETFUNCTION || option == MSMOPT_TIMERFUNCTION) {
    if (value != Py_None && !PyCallable_Check(value))
      return PyErr_Format(PyExc_TypeError, "option %d takes a callable or None", option);
    PyObject** slot = option == MSMOPT_SOCKETFUNCTION ? &self->socket_cb : &self->timer_cb;
    Py_XSETREF(*slot, value == Py_None ? nullptr : Py_NewRef(value));
    Py_RETURN_NONE;
  }
  if (option == MSMOPT_SOCKETDATA || option == MSMOPT_TIMERDATA)
    return PyErr_Format(PyExc_ValueError, "option %d is the binding's own: let the callable keep its data", option);
  int rc = MSM_OK;
  switch (ms::bind::option_kind(option)) {
    case ms::bind::OptionKind::Long: {
      if (!PyLong_Check(value)) return PyErr_Format(PyExc_TypeError, "option %d takes an int", option);
      const long v = PyLong_AsLong(value);
      if (v == -1 && PyErr_Occurred()) return nullptr;
      rc = self->api->multi_setopt(self->multi, option, v);
      break;
    }
    case ms::bind::OptionKind::OffT: {
      if (!PyLong_Check(value)) return PyErr_Format(PyExc_TypeError, "option %d takes an int", option);
      const long long v = PyLong_AsLongLong(value);
      if (v == -1 && PyErr_Occurred()) return nullptr;
      rc = self->api->multi_setopt(self->multi, option, static_cast<int64_t>(v));
      break;
    }
    case ms::bind::OptionKind::Pointer:
    case ms::bind::OptionKind::Function:
      if (value != Py_None) return PyErr_Format(PyExc_TypeError, "option %d: only None can be passed", option);
      rc = self->api->multi_setopt(self->multi, option, static_cast<void*>(nullptr));
      break;
  }
  if (rc != MSM_OK) return raise_multi(self->api, rc);
  Py_RETURN_NONE;
}

EasyObject* easy_arg(MultiObject* self, PyObject* arg) {
  if (!PyObject_TypeCheck(arg, g_easy_type)) {
    PyErr_SetString(PyExc_TypeError, "expected a multisock.Easy");
    return nullptr;
  }
  auto* easy = reinterpret_cast<EasyObject*>(arg);
  if (!easy_open(easy)) return nullptr;
  if (easy->api != self->api) {
    PyErr_Format(PyExc_ValueError, "the Easy belongs to %s, the Multi to %s", easy->api->name.c_str(),
                 self->api->name.c_str());
    return nullptr;
  }
  return easy;
}

PyObject* Multi_add_handle(MultiObject* self, PyObject* arg) {
  EasyObject* easy = easy_arg(self, arg);
  if (easy == nullptr || !enter(self)) return nullptr;
  // Known before the call: the callbacks it makes may name the handle.
  const bool was_added = self->easies->count(easy->easy) != 0;
  if (!was_added) self->easies->emplace(easy->easy, reinterpret_cast<EasyObject*>(Py_NewRef(arg)));
  int rc = MSM_OK;
  {
    EngineCall call(self);
    rc = self->api->multi_add_handle(self->multi, easy->easy);
  }
  if (!was_added) {
    if (rc == MSM_OK) {
      easy->multi = self;
    } else if (self->easies != nullptr) {
      self->easies->erase(easy->easy);
      Py_DECREF(arg);
    }
  }
  if (finish(self, rc) == nullptr) return nullptr;
  Py_RETURN_NONE;
}

PyObject* multi_remove(MultiObject* self, EasyObject* easy) {
  if (!enter(self)) return nullptr;
  int rc = MSM_OK;
  {
    EngineCall call(self);
    rc = self->api->multi_remove_handle(self->multi, easy->easy);
  }
  if (rc == MSM_OK && self->easies != nullptr) {
    if (auto it = self->easies->find(easy->easy); it != self->easies->end()) {
      self->easies->erase(it);
      easy->multi = nullptr;
      Py_DECREF(easy);
    }
  }
  if (finish(self, rc) == nullptr) return nullptr;
  Py_RETURN_NONE;
}

PyObject* Multi_remove_handle(MultiObject* self, PyObject* arg) {
  EasyObject* easy = easy_arg(self, arg);
  if (easy == nullptr) return nullptr;
  return multi_remove(self, easy);
}

PyObject* Multi_socket_action(MultiObject* self, PyObject* args) {
  int fd = MS_SOCKET_TIMEOUT;
  int mask = 0;
  if (!PyArg_ParseTuple(args, "i|i:socket_action", &fd, &mask)) return nullptr;
  if (!enter(self)) return nullptr;
  int running = 0;
  int rc = MSM_OK;
  {
    EngineCall call(self);
    rc = self->api->multi_socket_action(self->multi, fd, mask, &running);
  }
  if (finish(self, rc) == nullptr) return nullptr;
  return PyLong_FromLong(running);
}

PyObject* Multi_timeout(MultiObject* self, PyObject*) {
  if (!enter(self)) return nullptr;
  long ms = -1;
  const int rc = self->api->multi_timeout(self->multi, &ms);
  if (finish(self, rc) == nullptr) return nullptr;
  return PyLong_FromLong(ms);
}

PyObject* Multi_assign(MultiObject* self, PyObject* args) {
  int fd = 0;
  PyObject* obj = nullptr;
  if (!PyArg_ParseTuple(args, "iO:assign", &fd, &obj)) return nullptr;
  if (!enter(self)) return nullptr;
  void* pointer = obj == Py_None ? nullptr : obj;
  const int rc = self->api->multi_assign(self->multi, fd, pointer);
  if (rc == MSM_OK) {
    PyObject* old = nullptr;
    if (auto it = self->socketps->find(fd); it != self->socketps->end()) {
      old = it->second;
      self->socketps->erase(it);
    }
    if (obj != Py_None) self->socketps->emplace(fd, Py_NewRef(obj));
    Py_XDECREF(old);
  }
  if (finish(self, rc) == nullptr) return nullptr;
  Py_RETURN_NONE;
}

PyObject* Multi_info_read(MultiObject* self, PyObject*) {
  if (!enter(self)) return nullptr;
  int left = 0;
  MSMsg* msg = self->api->multi_info_read(self->multi, &left);
  leave(self);
  if (msg == nullptr) Py_RETURN_NONE;
  PyObject* easy = Py_None;
  if (auto it = self->easies->find(msg->easy_handle); it != self->easies->end())
    easy = reinterpret_cast<PyObject*>(it->second);
  const int result = msg->msg == MSMSG_DONE ? static_cast<int>(msg->data.result) : 0;
  return Py_BuildValue("(iOii)", static_cast<int>(msg->msg), easy, result, left);
}

PyObject* Multi_close(MultiObject* self, PyObject*) {
  if (self->busy_depth > 0) {
    PyErr_SetString(PyExc_RuntimeError, "close() during a call of this Multi");
    return nullptr;
  }
  multi_release(self);
  Py_RETURN_NONE;
}

PyObject* Multi_handles(MultiObject* self, void*) {
  PyObject* list = PyList_New(0);
  if (list == nullptr || self->easies == nullptr) return list;
  for (auto& [ptr, easy] : *self->easies)
    if (PyList_Append(list, reinterpret_cast<PyObject*>(easy)) != 0) {
      Py_DECREF(list);
      return nullptr;
    }
  return list;
}

PyObject* Multi_backend(MultiObject* self, void*) { return PyUnicode_FromString(self->api->name.c_str()); }
PyObject* Multi_world(MultiObject* self, void*) { return Py_NewRef(self->world != nullptr ? self->world : Py_None); }
PyObject* Multi_version(MultiObject* self, void*) { return PyUnicode_FromString(self->api->version != nullptr ? self->api->version : ""); }

PyMethodDef Multi_methods[] = {
    {"setopt", reinterpret_cast<PyCFunction>(Multi_setopt), METH_VARARGS,
     "setopt(option, value): MOPT_SOCKETFUNCTION f(easy, fd, what, socketp), "
     "MOPT_TIMERFUNCTION f(timeout_ms), or an int option."},
    {"add_handle", reinterpret_cast<PyCFunction>(Multi_add_handle), METH_O, "add_handle(easy)"},
    {"remove_handle", reinterpret_cast<PyCFunction>(Multi_remove_handle), METH_O, "remove_handle(easy)"},
    {"socket_action", reinterpret_cast<PyCFunction>(Multi_socket_action), METH_VARARGS,
     "socket_action(fd, mask=0) -> running. fd SOCKET_TIMEOUT for a timeout or to start."},
    {"timeout", reinterpret_cast<PyCFunction>(Multi_timeout), METH_NOARGS, "timeout() -> ms (-1: none)"},
    {"assign", reinterpret_cast<PyCFunction>(Multi_assign), METH_VARARGS,
     "assign(fd, obj): obj comes back as socketp in the socket callback (None forgets)."},
    {"info_read", reinterpret_cast<PyCFunction>(Multi_info_read), METH_NOARGS,
     "info_read() -> (msg, easy, result, msgs_in_queue), or None when no message waits."},
    {"close", reinterpret_cast<PyCFunction>(Multi_close), METH_NOARGS, "Cleans up the multi (no callback runs)."},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef Multi_getset[] = {
    {"handles", reinterpret_cast<getter>(Multi_handles), nullptr, "The added Easy handles.", nullptr},
    {"backend", reinterpret_cast<getter>(Multi_backend), nullptr, "The implementation's name.", nullptr},
    {"version", reinterpret_cast<getter>(Multi_version), nullptr, "What the implementation says of itself.", nullptr},
    {"world", reinterpret_cast<getter>(Multi_world), nullptr, "The World it runs over, or None.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMemberDef Multi_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(MultiObject, weakrefs), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot Multi_slots[] = {
    {Py_tp_members, Multi_members},
    {Py_tp_new, reinterpret_cast<void*>(Multi_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Multi_dealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(Multi_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(Multi_clear)},
    {Py_tp_methods, Multi_methods},
    {Py_tp_getset, Multi_getset},
    {Py_tp_doc, const_cast<char*>("Multi(lib=None, prefix='curl_', world=None): a multi handle of the "
                                  "engine (real sockets, or the simulated World given), or of the "
                                  "curl-style library at lib.")},
    {0, nullptr}};

PyType_Spec Multi_spec = {"multisock._multisock.Multi", sizeof(MultiObject), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Multi_slots};

// ---- World -----------------------------------------------------------------------------------

PyObject* World_new(PyTypeObject* type, PyObject* args, PyObject* kwds) {
  static const char* kwlist[] = {"text", "name", "seed", nullptr};
  const char* text = nullptr;
  Py_ssize_t text_size = 0;
  const char* name = "<scenario>";
  PyObject* seed_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "s#|sO", const_cast<char**>(kwlist), &text, &text_size, &name,
                                   &seed_obj))
    return nullptr;
  std::optional<std::uint64_t> seed;
  if (seed_obj != Py_None) {
    if (!PyLong_Check(seed_obj)) return PyErr_Format(PyExc_TypeError, "seed takes an int or None");
    const unsigned long long v = PyLong_AsUnsignedLongLong(seed_obj);
    if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return nullptr;
    seed = v;
  }
  std::string error;
  std::unique_ptr<ms::bind::SimWorld> world =
      ms::bind::SimWorld::load(std::string(text, static_cast<std::size_t>(text_size)), name, seed, &error);
  if (!world) {
    PyErr_SetString(PyExc_ValueError, error.c_str());
    return nullptr;
  }
  auto* self = reinterpret_cast<WorldObject*>(type->tp_alloc(type, 0));
  if (self == nullptr) return nullptr;
  self->world = world.release();
  return reinterpret_cast<PyObject*>(self);
}

void World_dealloc(WorldObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  if (self->weakrefs != nullptr) PyObject_ClearWeakRefs(reinterpret_cast<PyObject*>(self));
  delete self->world;  // every Multi over it is gone: each held a reference
  type->tp_free(self);
  Py_DECREF(type);
}

// poll({fd: POLL_IN|POLL_OUT|POLL_INOUT}, timeout_ms=-1) -> {fd: CSELECT_* mask}
PyObject* World_poll(WorldObject* self, PyObject* args) {
  PyObject* interest = nullptr;
  long timeout_ms = -1;
  if (!PyArg_ParseTuple(args, "O!|l:poll", &PyDict_Type, &interest, &timeout_ms)) return nullptr;
  std::vector<ms::bind::SimWorld::Interest> list;
  PyObject* key = nullptr;
  PyObject* value = nullptr;
  Py_ssize_t pos = 0;
  while (PyDict_Next(interest, &pos, &key, &value)) {
    const long fd = PyLong_Check(key) ? PyLong_AsLong(key) : -1;
    const long what = PyLong_Check(value) ? PyLong_AsLong(value) : -1;
    if (PyErr_Occurred()) return nullptr;
    if (fd < 0 || fd > INT_MAX || what < 0 || what > MS_POLL_INOUT)
      return PyErr_Format(PyExc_ValueError, "poll: {fd: POLL_IN|POLL_OUT|POLL_INOUT} expected");
    list.push_back({static_cast<int>(fd), static_cast<int>(what)});
  }
  std::vector<std::pair<int, int>> ready;
  std::string error;
  if (!self->world->poll(list, timeout_ms, ready, &error)) {
    PyErr_SetString(PyExc_RuntimeError, error.c_str());
    return nullptr;
  }
  PyObject* out = PyDict_New();
  if (out == nullptr) return nullptr;
  for (const auto& [fd, mask] : ready) {
    PyObject* k = PyLong_FromLong(fd);
    PyObject* v = PyLong_FromLong(mask);
    const int rc = k != nullptr && v != nullptr ? PyDict_SetItem(out, k, v) : -1;
    Py_XDECREF(k);
    Py_XDECREF(v);
    if (rc != 0) {
      Py_DECREF(out);
      return nullptr;
    }
  }
  return out;
}

PyObject* World_advance(WorldObject* self, PyObject* args) {
  long ms = 0;
  if (!PyArg_ParseTuple(args, "l:advance", &ms)) return nullptr;
  if (ms < 0) return PyErr_Format(PyExc_ValueError, "advance: ms >= 0 expected, got %ld", ms);
  self->world->advance(ms);
  Py_RETURN_NONE;
}

PyObject* World_inject_error(WorldObject* self, PyObject* args) {
  int fd = 0;
  const char* name = nullptr;
  if (!PyArg_ParseTuple(args, "is:inject_error", &fd, &name)) return nullptr;
  std::string why;
  if (!self->world->inject_error(fd, name, &why)) {
    PyErr_SetString(PyExc_ValueError, why.c_str());
    return nullptr;
  }
  Py_RETURN_NONE;
}

PyObject* World_now_ms(WorldObject* self, void*) { return PyLong_FromLongLong(self->world->now_ms()); }
PyObject* World_now_ns(WorldObject* self, void*) { return PyLong_FromLongLong(self->world->now_ns()); }
PyObject* World_seed(WorldObject* self, void*) { return PyLong_FromUnsignedLongLong(self->world->seed()); }
PyObject* World_open_descriptors(WorldObject* self, void*) {
  return PyLong_FromSize_t(self->world->open_descriptors());
}

PyMethodDef World_methods[] = {
    {"poll", reinterpret_cast<PyCFunction>(World_poll), METH_VARARGS,
     "poll({fd: POLL_*}, timeout_ms=-1) -> {fd: CSELECT_* mask}: waits in virtual time until one "
     "is ready or the timeout passes; RuntimeError when nothing can happen any more."},
    {"advance", reinterpret_cast<PyCFunction>(World_advance), METH_VARARGS,
     "advance(ms): runs the world's events for ms virtual milliseconds."},
    {"inject_error", reinterpret_cast<PyCFunction>(World_inject_error), METH_VARARGS,
     "inject_error(fd, name): the stream fd fails with the socket error name ('reset', ...)."},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef World_getset[] = {
    {"now_ms", reinterpret_cast<getter>(World_now_ms), nullptr, "Virtual ms since the world began.", nullptr},
    {"now_ns", reinterpret_cast<getter>(World_now_ns), nullptr, "Virtual ns since the world began.", nullptr},
    {"seed", reinterpret_cast<getter>(World_seed), nullptr, "The seed of its decisions.", nullptr},
    {"open_descriptors", reinterpret_cast<getter>(World_open_descriptors), nullptr,
     "Descriptors of the world still open.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMemberDef World_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(WorldObject, weakrefs), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot World_slots[] = {
    {Py_tp_members, World_members},
    {Py_tp_new, reinterpret_cast<void*>(World_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(World_dealloc)},
    {Py_tp_methods, World_methods},
    {Py_tp_getset, World_getset},
    {Py_tp_doc, const_cast<char*>("World(text, name='<scenario>', seed=None): the simulated world a "
                                  "scenario's text describes (world, dns and peer lines); "
                                  "Multi(world=w) runs the engine in it.")},
    {0, nullptr}};

PyType_Spec World_spec = {"multisock._multisock.World", sizeof(WorldObject), 0, Py_TPFLAGS_DEFAULT, World_slots};

// ---- module ----------------------------------------------------------------------------------

PyObject* code_name(PyObject*, PyObject* args) {
  const char* kind = nullptr;
  int code = 0;
  if (!PyArg_ParseTuple(args, "si:code_name", &kind, &code)) return nullptr;
  if (std::strcmp(kind, "multi") == 0) return PyUnicode_FromString(ms::bind::multi_code_name(code));
  if (std::strcmp(kind, "easy") == 0) return PyUnicode_FromString(ms::bind::easy_code_name(code));
  return PyErr_Format(PyExc_ValueError, "kind is 'multi' or 'easy', not '%s'", kind);
}

PyMethodDef module_methods[] = {
    {"code_name", code_name, METH_VARARGS, "code_name('multi'|'easy', code) -> 'MSM_OK', ..."},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "multisock._multisock",
                          "The multi-socket contract from Python: the engine or a curl-style library.",
                          -1, module_methods, nullptr, nullptr, nullptr, nullptr};

bool add_type(PyObject* module, PyObject* obj, const char* name) {
  if (obj == nullptr) return false;
  return PyModule_AddObjectRef(module, name, obj) == 0;
}

}  // namespace

PyMODINIT_FUNC PyInit__multisock(void) {
  PyObject* m = PyModule_Create(&module_def);
  if (m == nullptr) return nullptr;
  g_error = PyErr_NewExceptionWithDoc("multisock.Error", "Base of the binding's errors.", nullptr, nullptr);
  PyObject* dict = error_dict();
  if (dict == nullptr) {
    Py_DECREF(m);
    return nullptr;
  }
  g_multi_error = PyErr_NewExceptionWithDoc(
      "multisock.MultiError", "A multi function's code: args (code, name, text); .code, .name.", g_error, dict);
  g_easy_error = PyErr_NewExceptionWithDoc(
      "multisock.EasyError", "An easy function's code: args (code, name, text); .code, .name.", g_error, dict);
  Py_DECREF(dict);
  g_multi_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&Multi_spec));
  g_easy_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&Easy_spec));
  g_world_type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&World_spec));
  if (!add_type(m, g_error, "Error") || !add_type(m, g_multi_error, "MultiError") ||
      !add_type(m, g_easy_error, "EasyError") ||
      !add_type(m, reinterpret_cast<PyObject*>(g_multi_type), "Multi") ||
      !add_type(m, reinterpret_cast<PyObject*>(g_easy_type), "Easy") ||
      !add_type(m, reinterpret_cast<PyObject*>(g_world_type), "World")) {
    Py_DECREF(m);
    return nullptr;
  }
  std::size_t count = 0;
  const ms::bind::Constant* table = ms::bind::constants(&count);
  for (std::size_t i = 0; i < count; ++i) {
    if (PyModule_AddIntConstant(m, table[i].name, table[i].value) != 0) {
      Py_DECREF(m);
      return nullptr;
    }
  }
  return m;
}
