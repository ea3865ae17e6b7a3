// hv-core/core/sched_heap.h: an intrusive min-heap (a pairing heap) for the
// scheduler's run queue and timers. Nodes live inside the objects they
// order, so nothing is allocated and nothing can run out; insert is O(1),
// pop and remove are O(log n) amortised, whatever the number of vCPUs.
//
//     MinHeap q;
//     q.insert(&v.sched.run.node, v.sched.vtime);
//     HeapNode* first = q.pop();  // lowest key; equal keys in insertion order
#ifndef HV_CORE_CORE_SCHED_HEAP_H
#define HV_CORE_CORE_SCHED_HEAP_H

#include "base.h"

namespace hv {

struct HeapNode {
  HeapNode* child = nullptr;
  HeapNode* next = nullptr;  // next sibling
  HeapNode* prev = nullptr;  // previous sibling, or the parent of a first child
  uint64_t key = 0;
  uint64_t order = 0;  // insertion order, to break ties
  bool queued = false;
};

class MinHeap {
 public:
  [[nodiscard]] bool empty() const { return root_ == nullptr; }
  [[nodiscard]] HeapNode* top() const { return root_; }
  [[nodiscard]] uint64_t size() const { return size_; }

  void insert(HeapNode* n, uint64_t key) {
    HV_CHECK(!n->queued);
    *n = HeapNode{};
    n->key = key;
    n->order = next_order_++;
    n->queued = true;
    root_ = meld(root_, n);
    ++size_;
  }

  HeapNode* pop() {
    HeapNode* n = root_;
    if (n != nullptr) remove(n);
    return n;
  }

  void remove(HeapNode* n) {
    HV_CHECK(n->queued);
    HeapNode* children = merge_pairs(n->child);
    if (n == root_) {
      root_ = children;
    } else {
      detach(n);
      root_ = meld(root_, children);
    }
    n->child = n->next = n->prev = nullptr;
    n->queued = false;  // key and order stay readable
    --size_;
  }

 private:
  static bool before(const HeapNode* a, const HeapNode* b) {
    return a->key != b->key ? a->key < b->key : a->order < b->order;
  }

  // Two roots (no siblings) become one: the later one is the first child.
  static HeapNode* meld(HeapNode* a, HeapNode* b) {
    if (a == nullptr) return b;
    if (b == nullptr) return a;
    if (before(b, a)) {
      HeapNode* t = a;
      a = b;
      b = t;
    }
    b->prev = a;
    b->next = a->child;
    if (a->child != nullptr) a->child->prev = b;
    a->child = b;
    return a;
  }

  static void detach(HeapNode* n) {
    if (n->prev->child == n) {
      n->prev->child = n->next;
    } else {
      n->prev->next = n->next;
    }
    if (n->next != nullptr) n->next->prev = n->prev;
    n->next = n->prev = nullptr;
  }

  // The standard two passes, iteratively (no recursion on a hypervisor
  // stack): meld pairs left to right, then the pairs right to left.
  static HeapNode* merge_pairs(HeapNode* first) {
    HeapNode* pairs = nullptr;  // a stack, linked through `next`
    while (first != nullptr) {
      HeapNode* a = first;
      HeapNode* b = a->next;
      first = b != nullptr ? b->next : nullptr;
      a->next = a->prev = nullptr;
      if (b != nullptr) {
        b->next = b->prev = nullptr;
        a = meld(a, b);
      }
      a->next = pairs;
      pairs = a;
    }
    HeapNode* root = nullptr;
    while (pairs != nullptr) {
      HeapNode* p = pairs;
      pairs = p->next;
      p->next = nullptr;
      root = meld(root, p);
    }
    return root;
  }

  HeapNode* root_ = nullptr;
  uint64_t size_ = 0;
  uint64_t next_order_ = 0;
};

}  // namespace hv

#endif  // HV_CORE_CORE_SCHED_HEAP_H
