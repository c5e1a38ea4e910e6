"""The legacy course's solution notebooks, cell by cell, as its instructor wrote them.

An older edition of the course (2020-2022): Keras 2 habits, a ``# PROVIDED`` cell that
loads the course's own ``data/digits.npz``, images copied to a fixed ``/tmp`` folder, a
training function that returns only the final accuracy. Each cell is ``(role, source)``;
role is ``md``, ``setup``, ``provided``, ``scratch`` or ``ex:<exercise id>``.
make_notebooks.py writes them to ``solutions/<week>/<notebook>`` and builds the student
notebooks from the same cells.
"""

from __future__ import annotations

Cells = list[tuple[str, str]]

NOTEBOOKS = {
    "week1": "house_prices.ipynb",
    "week2": "digits_callback.ipynb",
    "week3": "digits_convolutions.ipynb",
    "week4": "happy_or_sad.ipynb",
}

WEEK1: Cells = [
    ("md", """\
# Exercise 1: house prices

In this exercise you'll try to build a neural network that predicts the price of a house
according to a simple formula. Imagine if house pricing was as easy as a house costs 50k +
50k per bedroom, so that a 1 bedroom house costs 100k, a 2 bedroom house costs 150k etc.

How would you create a neural network that learns this relationship so that it would
predict a 7 bedroom house as costing close to 400k etc.

Hint: Your network might work better if you scale the house price down. You don't have to
give the answer 400... it might be better to create something that predicts the number 4,
and then your answer is in the 'hundreds of thousands' etc."""),
    ("setup", """\
# SETUP
import tensorflow as tf
import numpy as np
from tensorflow import keras"""),
    ("ex:house_model", """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    ### BEGIN SOLUTION
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer='sgd', loss='mean_squared_error')
    model.fit(xs, ys, epochs=200, verbose=0)
    return model.predict(np.array(y_new, dtype=float), verbose=0)[0]
    ### END SOLUTION"""),
    ("scratch", """\
prediction = house_model([7.0])
print(prediction)"""),
]

DIGITS_LOAD = """\
# PROVIDED
with np.load("data/digits.npz") as data:
    x_train, y_train = data["x_train"], data["y_train"]
print(x_train.shape, y_train.shape)"""

WEEK2: Cells = [
    ("md", """\
# Exercise 2: handwriting recognition

The course's digits (`data/digits.npz`, 1,200 training images of 12x12 pixels, ten
classes) are loaded for you below. Write an MNIST classifier that trains to 99% accuracy
or above, and does it without a fixed number of epochs -- i.e. you should stop training
once you reach that level of accuracy.

1. It should succeed in less than 10 epochs, so it is okay to change epochs to 10, but
   nothing larger.
2. When it reaches 99% or greater it should print out the string "Reached 99% accuracy so
   cancelling training!"."""),
    ("setup", """\
# SETUP
import numpy as np
import tensorflow as tf
from tensorflow import keras"""),
    ("provided", DIGITS_LOAD),
    ("md", "### The callback\n\nStop training once the accuracy is above 0.99."),
    ("ex:myCallback", """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        ### BEGIN SOLUTION
        accuracy = logs.get('accuracy', logs.get('acc'))
        if accuracy is not None and accuracy > 0.99:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
        ### END SOLUTION"""),
    ("md", """\
### Training

Normalise the images, build Flatten -> Dense(64, relu) -> Dense(10, softmax), compile it
with adam and sparse categorical cross-entropy, and train for at most 10 epochs with your
callback. Return the history."""),
    ("ex:train_mnist", """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    ### BEGIN SOLUTION
    x_train = x_train / 255.0
    callbacks = myCallback()
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(12, 12)),
        tf.keras.layers.Dense(64, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=10, callbacks=[callbacks])
    ### END SOLUTION
    return history"""),
    ("scratch", "history = train_mnist(x_train, y_train)"),
]

WEEK3: Cells = [
    ("md", """\
# Exercise 3: improve the digits classifier with convolutions

Reshape and normalise the images, build a small convolutional network and train it for
5 epochs. The training function returns the final training accuracy, as in the 2020
edition of the course; the grader looks at the model you trained as well."""),
    ("setup", """\
# SETUP
import numpy as np
import tensorflow as tf
from tensorflow import keras"""),
    ("provided", DIGITS_LOAD),
    ("md", "### Reshape and normalise\n\nAdd the channel axis: (n, 12, 12) -> (n, 12, 12, 1), "
           "and divide the pixels by 255."),
    ("ex:reshape_and_normalize", """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    ### BEGIN SOLUTION
    images = images.reshape(images.shape[0], images.shape[1], images.shape[2], 1)
    images = images / 255.0
    ### END SOLUTION
    return images"""),
    ("md", """\
### The convolutional model

Conv2D(8, (3, 3), relu) on (12, 12, 1), MaxPooling2D(2, 2), Flatten, Dense(32, relu),
Dense(10, softmax); adam, sparse categorical cross-entropy, accuracy."""),
    ("ex:convolutional_model", """\
# GRADED FUNCTION: convolutional_model
def convolutional_model():
    ### BEGIN SOLUTION
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    ### END SOLUTION
    return model"""),
    ("md", "### Training\n\nTrain for 5 epochs and return the final accuracy."),
    ("ex:train_convs", """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    ### BEGIN SOLUTION
    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    history = model.fit(images, y_train, epochs=5)
    ### END SOLUTION
    return history.history['accuracy'][-1]"""),
    ("scratch", "print(train_convs(x_train, y_train))"),
]

WEEK4: Cells = [
    ("md", """\
# Exercise 4: handling complex images (happy or sad)

A folder of 64 faces, happy or sad. As in the original notebook, the images are put in
`/tmp/h-or-s` first (the original unzipped them there)."""),
    ("setup", """\
# SETUP
import os
import shutil
import numpy as np
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.optimizers import RMSprop"""),
    ("provided", """\
# PROVIDED
shutil.copytree("data/happy-or-sad", "/tmp/h-or-s", dirs_exist_ok=True)
print(sorted(os.listdir("/tmp/h-or-s")))"""),
    ("md", """\
### The generator

An `ImageDataGenerator` that rescales the pixels to between 0 and 1, reading `/tmp/h-or-s`
at 32x32 pixels in batches of 16, with binary labels."""),
    ("ex:image_generator", """\
# GRADED FUNCTION: image_generator
def image_generator():
    ### BEGIN SOLUTION
    train_datagen = ImageDataGenerator(rescale=1/255)
    train_generator = train_datagen.flow_from_directory(
        directory="/tmp/h-or-s",
        target_size=(32, 32),
        batch_size=16,
        class_mode='binary')
    ### END SOLUTION
    return train_generator"""),
    ("md", """\
### The model

Conv2D(16, 3x3) -> MaxPooling -> Conv2D(32, 3x3) -> MaxPooling -> Flatten -> Dense(64,
relu) -> Dense(1, sigmoid), for 32x32 colour images; binary cross-entropy, RMSprop with
a learning rate of 0.001, accuracy."""),
    ("ex:create_model", """\
# GRADED FUNCTION: create_model
def create_model():
    ### BEGIN SOLUTION
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(16, (3, 3), activation='relu', input_shape=(32, 32, 3)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Conv2D(32, (3, 3), activation='relu'),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation='relu'),
        tf.keras.layers.Dense(1, activation='sigmoid')
    ])
    model.compile(loss='binary_crossentropy',
                  optimizer=RMSprop(learning_rate=0.001),
                  metrics=['accuracy'])
    ### END SOLUTION
    return model"""),
    ("md", """\
### Training with the course's loop

The course trains your model on your generator with the function below: 5 epochs of 8
batches, more batches than the folder holds (the generator starts over)."""),
    ("provided", """\
# PROVIDED
def train_happy_sad(model, generator):
    return model.fit(generator, steps_per_epoch=8, epochs=5, verbose=2)"""),
    ("md", """\
### The whole training, in one function (2021 edition)

Train `create_model()` on `image_generator()` for at most 15 epochs of 8 steps, stopping
with a callback once the accuracy is above 0.999. Return the final accuracy."""),
    ("ex:train_happy_sad_model", """\
# GRADED FUNCTION: train_happy_sad_model
def train_happy_sad_model():
    ### BEGIN SOLUTION
    DESIRED_ACCURACY = 0.999

    class myCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if logs.get('accuracy', logs.get('acc', 0)) > DESIRED_ACCURACY:
                print("\\nReached 99.9% accuracy so cancelling training!")
                self.model.stop_training = True

    model = create_model()
    history = model.fit(image_generator(), steps_per_epoch=8, epochs=15,
                        callbacks=[myCallback()])
    ### END SOLUTION
    return history.history['accuracy'][-1]"""),
    ("md", """\
### tf.data (2024 edition)

The same images as a `tf.data.Dataset`: `image_dataset_from_directory` on `/tmp/h-or-s`,
32x32, batches of 16, binary labels, pixels between 0 and 1."""),
    ("ex:training_dataset", """\
# GRADED FUNCTION: training_dataset
def training_dataset():
    ### BEGIN SOLUTION
    dataset = tf.keras.utils.image_dataset_from_directory(
        "/tmp/h-or-s", image_size=(32, 32), batch_size=16, label_mode='binary')
    dataset = dataset.map(lambda images, labels: (images / 255.0, labels))
    ### END SOLUTION
    return dataset"""),
    ("scratch", "print(train_happy_sad_model())"),
]

SOLUTIONS: dict[str, Cells] = {"week1": WEEK1, "week2": WEEK2, "week3": WEEK3, "week4": WEEK4}
