//! The queue between a connection's reader task and its session: frames wait here while the
//! script is busy, up to a bound, after which the reader stops reading.
//!
//! Both ends live on the VU's thread, so this is a `VecDeque` behind an `Rc` with a waker per
//! side instead of tokio's `mpsc` channel, whose thread-safe state (cache-padded counters and
//! a first block of 32 slots allocated with the channel) cost every idle WebSocket ~2.5 KB
//! more. The deque holds only what waits and gives its memory back when it empties after a
//! burst, so an idle connection keeps no slots.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Slots an emptied queue may keep; a larger one is freed.
const KEEP_EMPTY: usize = 4;

struct Shared<T> {
    items: VecDeque<T>,
    bound: usize,
    /// The receiver waits for an item (or the sender's end).
    receiver: Option<Waker>,
    /// The sender waits for room (or the receiver's end).
    sender: Option<Waker>,
    sender_gone: bool,
    receiver_gone: bool,
}

/// Creates a queue that holds at most `bound` items.
pub fn channel<T>(bound: usize) -> (Sender<T>, Receiver<T>) {
    assert!(bound > 0, "a queue needs room for one item");
    let shared = Rc::new(RefCell::new(Shared {
        items: VecDeque::new(),
        bound,
        receiver: None,
        sender: None,
        sender_gone: false,
        receiver_gone: false,
    }));
    (Sender(Rc::clone(&shared)), Receiver(shared))
}

/// The reader's end.
pub struct Sender<T>(Rc<RefCell<Shared<T>>>);

/// The session's end.
pub struct Receiver<T>(Rc<RefCell<Shared<T>>>);

impl<T> Sender<T> {
    /// Queues `item`, waiting while the queue is full; gives it back once the receiver is gone.
    pub async fn send(&self, item: T) -> Result<(), T> {
        let mut item = Some(item);
        poll_fn(|cx| {
            let mut shared = self.0.borrow_mut();
            if shared.receiver_gone {
                return Poll::Ready(Err(item.take().expect("polled after completion")));
            }
            if shared.items.len() >= shared.bound {
                shared.sender = Some(cx.waker().clone());
                return Poll::Pending;
            }
            shared.items.push_back(item.take().expect("polled after completion"));
            if let Some(waker) = shared.receiver.take() {
                waker.wake();
            }
            Poll::Ready(Ok(()))
        })
        .await
    }

    /// Completes once the receiver is gone.
    pub async fn closed(&self) {
        poll_fn(|cx| {
            let mut shared = self.0.borrow_mut();
            if shared.receiver_gone {
                return Poll::Ready(());
            }
            shared.sender = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut shared = self.0.borrow_mut();
        shared.sender_gone = true;
        if let Some(waker) = shared.receiver.take() {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// The next item; `None` once the sender is gone and the queue is empty.
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// [`Receiver::recv`] for hand-written futures.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut shared = self.0.borrow_mut();
        let was_full = shared.items.len() >= shared.bound;
        if let Some(item) = shared.items.pop_front() {
            if shared.items.is_empty() && shared.items.capacity() > KEEP_EMPTY {
                shared.items = VecDeque::new();
            }
            if was_full {
                if let Some(waker) = shared.sender.take() {
                    waker.wake();
                }
            }
            return Poll::Ready(Some(item));
        }
        if shared.sender_gone {
            return Poll::Ready(None);
        }
        shared.receiver = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut shared = self.0.borrow_mut();
        shared.receiver_gone = true;
        shared.items.clear();
        if let Some(waker) = shared.sender.take() {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_full_queue_holds_the_sender_until_the_receiver_takes_one() {
        let local = tokio::task::LocalSet::new();
        local
            .run_until(async {
                let (tx, mut rx) = channel(2);
                let sent = Rc::new(RefCell::new(Vec::new()));
                let log = Rc::clone(&sent);
                let sender = tokio::task::spawn_local(async move {
                    for i in 0..3 {
                        tx.send(i).await.unwrap();
                        log.borrow_mut().push(i);
                    }
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
                assert_eq!(*sent.borrow(), [0, 1], "the third waits for room");
                assert_eq!(rx.recv().await, Some(0));
                sender.await.unwrap();
                assert_eq!(*sent.borrow(), [0, 1, 2]);
                assert_eq!(rx.recv().await, Some(1));
                assert_eq!(rx.recv().await, Some(2));
                assert_eq!(rx.recv().await, None, "the sender is gone and nothing waits");
            })
            .await;
    }

    #[tokio::test]
    async fn the_sender_learns_when_the_receiver_is_gone() {
        let (tx, rx) = channel::<u8>(4);
        drop(rx);
        tx.closed().await;
        assert_eq!(tx.send(7).await, Err(7));
    }

    #[tokio::test]
    async fn an_emptied_queue_gives_its_slots_back() {
        let (tx, mut rx) = channel(256);
        for i in 0..100 {
            tx.send(i).await.unwrap();
        }
        assert!(tx.0.borrow().items.capacity() >= 100);
        while !tx.0.borrow().items.is_empty() {
            rx.recv().await.unwrap();
        }
        assert!(tx.0.borrow().items.capacity() <= KEEP_EMPTY);
    }
}
